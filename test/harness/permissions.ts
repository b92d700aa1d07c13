import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** What one user of a permissioned nats-server may do (NATS `permissions` block). */
export interface NatsUser {
  user: string;
  password: string;
  publish?: { allow?: string[]; deny?: string[] };
  subscribe?: { allow?: string[]; deny?: string[] };
}

/**
 * nats-server arguments for a server whose only users are `users`, each with
 * its publish/subscribe permissions, allow and deny lists (the shipped
 * templates of `authorization.ts` only allow): writes a config file (`-c`)
 * with an `authorization` block. Connect as a user with `{ user, pass }`.
 */
export function permissionedServerArgs(users: NatsUser[]): string[] {
  const list = (subjects: string[] | undefined) =>
    subjects === undefined ? "" : `[${subjects.map((s) => JSON.stringify(s)).join(", ")}]`;
  const rules = (r: NatsUser["publish"]) => {
    if (r === undefined) return "";
    const parts: string[] = [];
    if (r.allow) parts.push(`allow: ${list(r.allow)}`);
    if (r.deny) parts.push(`deny: ${list(r.deny)}`);
    return `{ ${parts.join(", ")} }`;
  };
  const entries = users.map((u) => {
    const perms: string[] = [];
    if (u.publish) perms.push(`publish: ${rules(u.publish)}`);
    if (u.subscribe) perms.push(`subscribe: ${rules(u.subscribe)}`);
    const permissions = perms.length > 0 ? `, permissions: { ${perms.join(", ")} }` : "";
    return `    { user: ${JSON.stringify(u.user)}, password: ${JSON.stringify(u.password)}${permissions} }`;
  });
  const config = join(mkdtempSync(join(tmpdir(), "protonats-auth-")), "nats.conf");
  writeFileSync(config, `authorization {\n  users = [\n${entries.join("\n")}\n  ]\n}\n`);
  return ["-c", config];
}
