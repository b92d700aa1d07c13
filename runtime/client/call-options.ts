import type { LocalityPreference } from "../locality/locality.js";

/** Options of one call; the same object for every RPC shape. */
export interface CallOptions {
  /**
   * Deadline of the call in milliseconds from now. Defaults to the method's
   * `timeout_ms` option, else the client's `timeoutMs`, else (unary calls
   * only) 30 s; a stream without any of these has no deadline (heartbeats
   * detect a dead peer). `Infinity` means no deadline. The remaining budget
   * travels to the server, which stops the handler when it runs out.
   */
  timeoutMs?: number;
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
   * when the connection closes for good. Default: the client's `waitForReady`.
   */
  waitForReady?: boolean;
  /** Cancels the call; the server's handler sees its own signal abort. */
  signal?: AbortSignal;
  /** Request headers (NATS message headers). Names starting `Pn-` are reserved. */
  headers?: Record<string, string>;
  /** Called with the response headers, before the first response message. */
  onHeader?: (headers: Readonly<Record<string, string>>) => void;
  /** Called with the trailers, after the last response message. */
  onTrailer?: (trailers: Readonly<Record<string, string>>) => void;
  /**
   * Which nodes this call prefers (with the default `LocalitySelector`):
   * `"nearest"`, `"any"`, or `{ zone }` / `{ cluster }`. Default: the client's.
   */
  locality?: LocalityPreference;
}
