// The Node side of the web demo: a nats-server with a WebSocket listener and
// two users (the services, and the browser with only what a web page needs),
// and the greeter and order services served on it. Used by `npm run demo:web`
// and by the browser test.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { defineGreeter } from "../../generated/example/greeter/v1/greeter_nats.js";
import { Greeter } from "../../generated/example/greeter/v1/greeter_pb.js";
import { defineOrderService } from "../../generated/example/orders/v1/orders_nats.js";
import { OrderService } from "../../generated/example/orders/v1/orders_pb.js";
import {
  authorizationBlock,
  clientPermissions,
  combinePermissions,
  natsRuntime,
  type Server,
  serve,
  serverPermissions,
} from "../../runtime/index.js";
import type { NatsPermissions } from "../../runtime/protocol.js";
import { freePort } from "../../test/harness/free-port.js";
import { type NatsServerProcess, startNatsServer } from "../../test/harness/nats-server.js";
import { greeter } from "../services/greeter.js";
import { orderService } from "../services/orders.js";

/** What the page needs to connect: the WebSocket URL, a user, its inbox prefix, the namespace. */
export interface WebConnection {
  ws: string;
  user: string;
  pass: string;
  inboxPrefix: string;
  namespace: string;
}

export interface WebDemoBackend {
  readonly natsUrl: string;
  readonly web: WebConnection;
  /** The page's query string carrying `web`, e.g. `?ws=ws://127.0.0.1:8080&...`. */
  readonly query: string;
  stop(): Promise<void>;
}

const namespace = "webdemo";
const inboxPrefix = "_INBOX.web";
/** The subject the page watches for `OrderPlaced` events. */
const orderPlacedSubjects = `${namespace}.orders.*.placed`;

/** A user that may also publish or subscribe to some event subjects. */
function withEvents(base: NatsPermissions, events: { publish?: string[]; subscribe?: string[] }) {
  return combinePermissions(base, {
    publish: { allow: events.publish ?? [] },
    subscribe: { allow: events.subscribe ?? [] },
  });
}

/**
 * The browser user calls Greeter and OrderService and reads order events;
 * it can serve nothing, and nobody else can read its inbox. Its password is
 * no secret (it ships in the page): the permissions are what protect the bus.
 */
export function webPermissions(): NatsPermissions {
  return withEvents(clientPermissions([Greeter, OrderService], { namespace, inboxPrefix }), {
    subscribe: [orderPlacedSubjects],
  });
}

function servicesPermissions(): NatsPermissions {
  return withEvents(serverPermissions([Greeter, OrderService], { namespace }), {
    publish: [orderPlacedSubjects],
  });
}

/** Starts nats-server with WebSocket and both users, then serves the services on it. */
export async function startWebDemoBackend(): Promise<WebDemoBackend> {
  const dir = mkdtempSync(join(tmpdir(), "protonats-web-"));
  const wsPort = await freePort();
  const servicesPass = crypto.randomUUID();
  const web = { ws: `ws://127.0.0.1:${wsPort}`, user: "web", pass: "web", inboxPrefix, namespace };
  const config = join(dir, "nats-server.conf");
  writeFileSync(
    config,
    [
      `websocket { host: "127.0.0.1", port: ${wsPort}, no_tls: true }`,
      authorizationBlock([
        { user: "services", password: servicesPass, permissions: servicesPermissions() },
        { user: web.user, password: web.pass, permissions: webPermissions() },
      ]),
    ].join("\n"),
  );
  let nats: NatsServerProcess | undefined;
  let nc: NatsConnection | undefined;
  let server: Server | undefined;
  const stop = async () => {
    await server?.stop();
    await nc?.close();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    nats = await startNatsServer({ args: ["-c", config] });
    nc = await connect({
      servers: nats.url,
      user: "services",
      pass: servicesPass,
      name: "services",
    });
    const runtime = natsRuntime(nc, { namespace });
    server = await serve(runtime, [
      defineGreeter(greeter("node")),
      defineOrderService(orderService(runtime)),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  const query = `?${new URLSearchParams({ ...web })}`;
  return { natsUrl: nats.url, web, query, stop };
}
