import type { Msg, NatsConnection, Subscription } from "@nats-io/nats-core";
import type { RpcError } from "../../errors/rpc-error.js";
import type { ServerObserver } from "../../server/observer.js";
import { subscribeDenied } from "../transport/permission-errors.js";
import { EndpointStats } from "./endpoint-stats.js";
import { MicroMetadataKey, microServiceName, microVersion } from "./micro-naming.js";
import {
  type MicroEndpointInfo,
  type MicroIdentity,
  type MicroInfoResponse,
  type MicroPingResponse,
  MicroResponseType,
  type MicroStatsResponse,
} from "./micro-responses.js";

/** What one service instance reports to NATS micro tooling. */
export interface MicroServiceInfo {
  /** Fully qualified protobuf service name, e.g. `example.greeter.v1.Greeter`. */
  name: string;
  version: string;
  /** Instance id (the server's node id). */
  id: string;
  metadata: Record<string, string>;
  description?: string;
  /** The unary methods, each on its queue-group subject. */
  endpoints: {
    name: string;
    subject: string;
    queueGroup: string;
    metadata: Record<string, string>;
  }[];
}

export interface MicroResponder {
  /** Feed it the server's call records: `$SRV.STATS` counts from them. */
  readonly observer: ServerObserver;
  /** The name the service has in `nats micro` (see {@link microServiceName}). */
  readonly microName: string;
  /** Resolves once NATS took the subscriptions; rejects `PermissionDenied` when it refused one. */
  ready(): Promise<void>;
  /** Stops answering `$SRV.*`. */
  stop(): Promise<void>;
}

const encoder = new TextEncoder();

/**
 * Answers the NATS micro discovery protocol (ADR-32) for one service
 * instance: `$SRV.PING|INFO|STATS`, each also scoped by `.<name>` and
 * `.<name>.<id>`, so that `nats micro ls|info|stats|ping` see protonats
 * services. `$SRV` subjects are never namespaced (the tools expect them as
 * they are) and use plain subscriptions: every instance must answer.
 */
export function startMicroResponder(nc: NatsConnection, info: MicroServiceInfo): MicroResponder {
  const microName = microServiceName(info.name);
  const version = microVersion(info.version);
  const metadata: Record<string, string> = {
    ...info.metadata,
    [MicroMetadataKey.service]: info.name,
  };
  if (version !== info.version) metadata[MicroMetadataKey.version] = info.version;
  const identity: MicroIdentity = { name: microName, id: info.id, version, metadata };
  const endpoints: MicroEndpointInfo[] = info.endpoints.map((e) => ({
    name: e.name,
    subject: e.subject,
    queue_group: e.queueGroup,
    metadata: e.metadata,
  }));
  const started = new Date().toISOString();
  const stats = new EndpointStats(endpoints.map((e) => e.name));

  // PING and INFO never change: encode them once.
  const ping: MicroPingResponse = { type: MicroResponseType.ping, ...identity };
  const infoResponse: MicroInfoResponse = {
    type: MicroResponseType.info,
    ...identity,
    description: info.description ?? "",
    endpoints,
  };
  const pingBytes = encoder.encode(JSON.stringify(ping));
  const infoBytes = encoder.encode(JSON.stringify(infoResponse));
  const statsBytes = () => {
    const response: MicroStatsResponse = {
      type: MicroResponseType.stats,
      ...identity,
      started,
      endpoints: endpoints.map((e) => stats.snapshot(e)),
    };
    return encoder.encode(JSON.stringify(response));
  };

  const answer = (msg: Msg) => {
    if (!msg.reply) return;
    // `$SRV.<VERB>[.<name>[.<id>]]`: the verb is the second token.
    const verb = msg.subject.split(".", 2)[1];
    const body =
      verb === "PING"
        ? pingBytes
        : verb === "INFO"
          ? infoBytes
          : verb === "STATS"
            ? statsBytes()
            : undefined;
    if (!body) return;
    try {
      msg.respond(body);
    } catch {
      // Closing connection: the asker collects the others' answers.
    }
  };

  // Three wildcard subscriptions cover the three verbs in the three scopes.
  // A subscription NATS permissions refused: reported by `ready()`.
  let denied: RpcError | undefined;
  const subs: Subscription[] = [
    "$SRV.*",
    `$SRV.*.${microName}`,
    `$SRV.*.${microName}.${info.id}`,
  ].map((subject) =>
    nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) denied ??= subscribeDenied(subject, err);
        else answer(msg);
      },
    }),
  );

  return {
    microName,
    async ready() {
      // The server's -ERR for a refused subscription arrives before the PONG.
      await nc.flush();
      if (denied !== undefined) throw denied;
    },
    observer: {
      callFinished(record) {
        if (record.service !== info.name) return;
        stats.record(record.method, record.durationNs, record.code, record.errorMessage);
      },
    },
    async stop() {
      for (const sub of subs) sub.unsubscribe();
      if (nc.isClosed()) return;
      try {
        await nc.flush();
      } catch {
        // Closed meanwhile: the subscriptions are gone with it.
      }
    },
  };
}
