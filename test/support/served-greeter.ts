import type { NatsConnection } from "@nats-io/transport-node";
import type { NatsRuntime } from "../../runtime/nats/nats-runtime.js";
import { defineService } from "../../runtime/server/define-service.js";
import type { CallRecord } from "../../runtime/server/observer.js";
import { serve } from "../../runtime/server/serve.js";
import type { Server } from "../../runtime/server/server.js";
import type { ServeOptions, ServiceOptions } from "../../runtime/server/service-options.js";
import type { ServiceHandlers } from "../../runtime/service-types.js";
import { Greeter, greeterHandlers } from "../rpc/support/greeter.js";
import type { NatsSuite } from "./nats-suite.js";

export interface ServedGreeterOptions {
  /** Handlers replacing the test greeter's. */
  overrides?: Partial<ServiceHandlers<typeof Greeter>>;
  serviceOptions?: ServiceOptions;
  /** Serve options; `observers` here replaces the one filling `records`. */
  serveOptions?: ServeOptions;
  /** The client's connection. Default: the suite's `clientConn`. */
  clientConn?: NatsConnection;
}

export interface ServedGreeter {
  /** The server's runtime and the client's, in a namespace of their own. */
  srt: NatsRuntime;
  crt: NatsRuntime;
  /** Stops with the suite. */
  server: Server;
  /** Every call the server finished. */
  records: CallRecord[];
}

/**
 * The test greeter served by "s" on the suite's first connection, in a new
 * namespace shared with a client runtime, recording each finished call.
 */
export async function serveGreeter(
  suite: NatsSuite,
  options: ServedGreeterOptions = {},
): Promise<ServedGreeter> {
  const [srt, crt] = suite.scope(suite.conn, options.clientConn ?? suite.clientConn);
  const records: CallRecord[] = [];
  const handlers = { ...greeterHandlers("s"), ...options.overrides };
  const server = await serve(srt!, [defineService(Greeter, handlers, options.serviceOptions)], {
    observers: [{ callFinished: (r) => records.push(r) }],
    ...options.serveOptions,
  });
  suite.servers.push(server);
  return { srt: srt!, crt: crt!, server, records };
}
