import { Code } from "../../errors/code.js";
import { RpcError } from "../../errors/rpc-error.js";
import { markUndelivered } from "../../errors/undelivered.js";

/**
 * Turns an exception of `nc.publish` into an `RpcError`: the message did not
 * leave this process, so the error is marked undelivered.
 */
export function publishError(cause: unknown): RpcError {
  const text = cause instanceof Error ? cause.message : String(cause);
  if (text.includes("max_payload")) {
    return markUndelivered(
      new RpcError(Code.ResourceExhausted, "message exceeds the NATS server's max_payload", {
        cause,
      }),
    );
  }
  return markUndelivered(
    new RpcError(Code.Unavailable, `NATS connection unusable: ${text}`, { cause }),
  );
}
