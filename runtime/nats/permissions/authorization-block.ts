import type { NatsPermissions } from "./service-permissions.js";

/** One user of a nats-server `authorization` block. */
export interface NatsUser {
  user: string;
  /** A plain or bcrypted (`$2a$...`) password. */
  password: string;
  permissions: NatsPermissions;
}

const quote = (value: string) => JSON.stringify(value);
const list = (values: string[]) => `[${values.map(quote).join(", ")}]`;

/**
 * The nats-server configuration block giving each user exactly its
 * permissions, e.g. to write into `nats-server.conf`:
 *
 * ```ts
 * authorizationBlock([
 *   { user: "greeter", password, permissions: serverPermissions([Greeter]) },
 *   { user: "web", password, permissions: clientPermissions([Greeter], { inboxPrefix: "_INBOX.web" }) },
 * ]);
 * ```
 */
export function authorizationBlock(users: readonly NatsUser[]): string {
  const lines = users.map(({ user, password, permissions }) =>
    [
      "    {",
      `      user: ${quote(user)}`,
      `      password: ${quote(password)}`,
      "      permissions: {",
      `        publish: { allow: ${list(permissions.publish.allow)} }`,
      `        subscribe: { allow: ${list(permissions.subscribe.allow)} }`,
      "      }",
      "    }",
    ].join("\n"),
  );
  return `authorization {\n  users: [\n${lines.join("\n")}\n  ]\n}\n`;
}
