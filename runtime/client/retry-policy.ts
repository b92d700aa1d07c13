import type { DescMethod } from "@bufbuild/protobuf";
import type { RpcError } from "../errors/rpc-error.js";
import type { ServiceNode } from "../registry/registry.js";

/** A failed attempt of a unary call, as a retry policy sees it. */
export interface RetryContext {
  readonly method: DescMethod;
  /** Attempts made so far (1 after the first failure). */
  readonly attempt: number;
  readonly error: RpcError;
  /** The node the attempt went to, if one was picked. */
  readonly node: ServiceNode | undefined;
  /** The method is marked idempotent (option or `idempotency_level`). */
  readonly idempotent: boolean;
  /** The request certainly never reached a server: retrying is always safe. */
  readonly undelivered: boolean;
  /** Milliseconds left before the call's deadline. */
  readonly timeRemainingMs: number;
}

/**
 * Decides whether a failed unary call is tried again (on another node when
 * there is one). Return the delay before the next attempt in milliseconds, or
 * `undefined` to give up and throw the error. Without a policy a call is made once.
 */
export interface RetryPolicy {
  nextDelayMs(context: RetryContext): number | undefined;
  /** Called once per unary call, before its first attempt (retry budgets count calls). */
  onCall?(method: DescMethod): void;
}
