import type { Interceptor } from "../interceptor.js";
import type { LocalityPreference } from "../locality/locality.js";
import type { RetryPolicy } from "./retry-policy.js";
import type { Selector } from "./selector.js";

/** Options of a client; per-call options are {@link CallOptions}. */
export interface ClientOptions {
  /**
   * Default deadline of calls without their own and without a method
   * `timeout_ms`. Default: 30 000 ms for unary calls, none for streams.
   */
  timeoutMs?: number;
  /** Run around every call, the first one outermost. */
  interceptors?: Interceptor[];
  /**
   * Picks the node for each call. Default: `LocalitySelector` (round robin
   * over the nodes nearest the caller — its NATS cluster, then its zone —
   * that skips nodes whose calls keep ending `Unavailable`).
   */
  selector?: Selector;
  /**
   * Which nodes calls prefer: `"nearest"` (default), `"any"`, or
   * `{ zone }` / `{ cluster }`; a call's `locality` option overrides it.
   */
  locality?: LocalityPreference;
  /**
   * Retries of failed unary calls. Default: a `StandardRetryPolicy` per
   * client: calls that never reached a server are retried at once on another
   * node; idempotent methods also on `Unavailable` / `ResourceExhausted`,
   * within a budget of 20 % of calls. `noRetry` turns retries off.
   */
  retry?: RetryPolicy;
  /**
   * While the NATS connection is down (reconnecting), a call fails at once
   * with `Unavailable` (nothing was sent, so it counts as undelivered) unless
   * this is true: then it waits for the reconnect, within its deadline, and is
   * sent then; until the deadline it also waits out a service with no live
   * node or no listener yet (its server reconnecting too), and retries an
   * idempotent unary call that lost its server. A unary call in flight when the connection drops fails
   * `Unavailable` unless the connection is back within a probe interval
   * (`livenessMs`), or with this option waits for it. Either way no call waits
   * silently on a request that was lost: calls in flight ask their server
   * right after the reconnect, and everything pending fails `Unavailable`
   * when the connection closes for good. Default false, as in gRPC.
   */
  waitForReady?: boolean;
  /** Call only nodes of this service version. */
  version?: string;
  /** Call only nodes whose metadata contains all these pairs. */
  nodeMetadata?: Record<string, string>;
  /** Headers sent with every call (call headers win). */
  headers?: Record<string, string>;
  /** Streams: how many messages the server may send ahead of the consumer. Default 512. */
  window?: number;
  /**
   * Streams: a side sends a ping after this many idle milliseconds and gives
   * the peer up after {@link missedHeartbeats} intervals of silence. The server
   * adopts the client's value for the stream. Default 5 000.
   */
  heartbeatMs?: number;
  /** Intervals of silence after which a stream's peer counts as dead. Default 3. */
  missedHeartbeats?: number;
  /**
   * Unary calls: after this many milliseconds without an answer, the client
   * probes the server (a `ping` on the call's reply subject). A server that is
   * gone makes NATS answer "no responders" and the call fails `Unavailable`
   * at once; a server that leaves {@link missedHeartbeats} probes in a row
   * unanswered fails it `Unavailable` too (idempotent methods are then retried
   * on another node). Calls that end sooner send nothing. Default 300, so that
   * calls on a node that dies fail over within about a second. `0` turns
   * probing off.
   */
  livenessMs?: number;
}
