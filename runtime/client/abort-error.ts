import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";

/**
 * The error of a call whose signal aborted. A signal aborted with an
 * `RpcError` (a handler's signal when its own deadline passes) passes its code
 * on, so a deadline propagated through several hops is `DeadlineExceeded`
 * everywhere rather than `Canceled`.
 */
export function abortError(signal: AbortSignal | undefined): RpcError {
  const reason: unknown = signal?.reason;
  if (reason instanceof RpcError)
    return new RpcError(reason.code, reason.rawMessage, { cause: reason });
  return new RpcError(Code.Canceled, "call canceled", { cause: reason });
}
