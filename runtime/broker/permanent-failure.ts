import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";

/**
 * Whether a handler failure can never succeed on redelivery: an `RpcError`
 * with `InvalidArgument` (malformed or mistyped event, failed validation) or
 * `DataLoss`. A durable subscription dead-letters such a message at once
 * instead of redelivering it; any other error is treated as transient.
 */
export function isPermanentFailure(error: unknown): boolean {
  return (
    error instanceof RpcError &&
    (error.code === Code.InvalidArgument || error.code === Code.DataLoss)
  );
}
