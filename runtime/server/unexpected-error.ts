import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";

/** Where a server reports handler errors it could not pass on to the caller. */
export interface ServerLogger {
  error(message: string, error: unknown): void;
}

/**
 * Reports a handler's unexpected throw (anything but an `RpcError`, an abort
 * or a timeout): the caller only sees `Internal` "internal error", so the
 * server's log is the one place its message and stack can be found.
 */
export function reportUnexpected(
  logger: ServerLogger | undefined,
  method: string,
  cause: unknown,
  answered: RpcError,
): void {
  if (logger === undefined || cause instanceof RpcError || answered.code !== Code.Internal) return;
  try {
    logger.error(`protonats: ${method} threw; the caller got Internal`, cause);
  } catch {
    // A failing logger must not break the call.
  }
}
