import type { ServerLimits } from "../call/limits.js";
import type { Interceptor } from "../interceptor.js";
import type { ServerObserver } from "./observer.js";
import type { ServerLogger } from "./unexpected-error.js";

/** Options of one service given to `defineService`. */
export interface ServiceOptions {
  /** Announced version; default: the `(protonats.v1.service).version` option, else `0.0.0`. */
  version?: string;
  /** Announced in the registry. */
  metadata?: Record<string, string>;
  /**
   * Calls of this service handled at once; more fail at once with
   * `ResourceExhausted` instead of queueing without bound. Default: no limit.
   */
  maxConcurrentCalls?: number;
  /** Run around this service's handlers, after the server-wide ones. */
  interceptors?: Interceptor[];
}

/** Options of `serve`. */
export interface ServeOptions {
  /** Id of this server instance (the node id). Default: a fresh nuid. */
  id?: string;
  /**
   * Node metadata announced in the registry and to `nats micro`. The runtime
   * adds `pn-compact-calls: "1"` (clients may send this server compact calls).
   */
  metadata?: Record<string, string>;
  /**
   * Zone (region, site) announced with the node, next to the NATS cluster and
   * server it is connected to; clients of the same zone prefer it when no node
   * of their own cluster is usable. Default: `PROTONATS_ZONE`, else none.
   */
  zone?: string;
  /** Get a record of every finished call. */
  observers?: ServerObserver[];
  /** Run around every handler, the first one outermost. */
  interceptors?: Interceptor[];
  /** Credit granted to clients for request messages of a stream. Default 512. */
  window?: number;
  /**
   * Heartbeat interval for streams whose client did not announce one (the
   * client's value is used otherwise). Default 5 000 ms.
   */
  heartbeatMs?: number;
  /** Intervals of silence after which a stream's client counts as gone. Default 3. */
  missedHeartbeats?: number;
  /** Description announced to `nats micro info`. */
  description?: string;
  /**
   * Where errors a handler throws that are not `RpcError`s are logged, with
   * their stack (the caller only gets `Internal`). Default `console`; `false`
   * turns it off.
   */
  logger?: ServerLogger | false;
  /**
   * Bounds on what clients may ask of this server (stream window and credit,
   * heartbeat interval, open streams); see `ServerLimits` for the defaults.
   */
  limits?: Partial<ServerLimits>;
}

/** Options of `Server.stop`. */
export interface StopOptions {
  /**
   * How long calls in progress may take to finish before their signals abort
   * and they are answered with `Unavailable`. Default 10 000 ms.
   */
  graceMs?: number;
}
