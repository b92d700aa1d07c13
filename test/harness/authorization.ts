import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  authorizationBlock,
  type NatsUser,
} from "../../runtime/nats/permissions/authorization-block.js";
import { type NatsServerProcess, startNatsServer } from "./nats-server.js";

/** A nats-server whose users have the given permissions, and connections as those users. */
export interface AuthorizedNatsServer {
  readonly server: NatsServerProcess;
  /** Connects as `user` (with the password it was configured with). */
  connectAs(user: string, options?: { inboxPrefix?: string }): Promise<NatsConnection>;
  /** Closes every connection, stops the server and removes its config. */
  stop(): Promise<void>;
}

/** Starts a nats-server configured with `authorizationBlock(users)`. */
export async function startAuthorizedNatsServer(
  users: readonly NatsUser[],
): Promise<AuthorizedNatsServer> {
  const dir = mkdtempSync(join(tmpdir(), "protonats-auth-"));
  const config = join(dir, "auth.conf");
  writeFileSync(config, authorizationBlock(users));
  const server = await startNatsServer({ args: ["-c", config] });
  const connections: NatsConnection[] = [];
  return {
    server,
    async connectAs(user, options = {}) {
      const found = users.find((u) => u.user === user);
      if (!found) throw new Error(`no user ${user} in the configuration`);
      const nc = await connect({
        servers: server.url,
        user,
        pass: found.password,
        noAsyncTraces: true,
        ...options,
      });
      connections.push(nc);
      return nc;
    },
    async stop() {
      await Promise.all(connections.map((nc) => (nc.isClosed() ? undefined : nc.close())));
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
