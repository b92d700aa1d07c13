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
