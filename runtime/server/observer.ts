import type { Code } from "../errors/code.js";

/** What a server reports about each finished call, for metrics and `$SRV.STATS`. */
export interface CallRecord {
  /** Fully qualified service name. */
  readonly service: string;
  /** Method name as in the .proto. */
  readonly method: string;
  /** Time spent in the call, in nanoseconds. */
  readonly durationNs: number;
  /** `undefined` when the call succeeded. */
  readonly code: Code | undefined;
  /** The error message sent to the client, when it failed. */
  readonly errorMessage: string | undefined;
}

/** Metrics hook: servers call every observer once per finished call. Must not throw. */
export interface ServerObserver {
  callFinished(record: CallRecord): void;
}
