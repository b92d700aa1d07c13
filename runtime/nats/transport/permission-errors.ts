import { type NatsConnection, PermissionViolationError } from "@nats-io/nats-core";
import { Code } from "../../errors/code.js";
import { RpcError } from "../../errors/rpc-error.js";

/**
 * NATS reports a refused publish or subscription asynchronously (an `-ERR`
 * from the server, surfaced by nats.js as a status event and, for a
 * subscription, as an error to its callback). These turn such reports into
 * the `RpcError` protonats callers get.
 */

/** The error for a subscription the NATS server refused. */
export function subscribeDenied(subject: string, cause?: unknown): RpcError {
  return new RpcError(
    Code.PermissionDenied,
    `NATS permissions do not allow subscribing to "${subject}"`,
    { cause },
  );
}

/** The error for a publish the NATS server refused. */
export function publishDenied(subject: string, cause?: unknown): RpcError {
  return new RpcError(
    Code.PermissionDenied,
    `NATS permissions do not allow publishing to "${subject}"`,
    { cause },
  );
}

/**
 * Calls `denied(subject, error)` for every publish the NATS server refuses on
 * `nc`, until the connection closes. One status iterator per connection.
 */
export async function watchPublishDenials(
  nc: NatsConnection,
  denied: (subject: string, error: RpcError) => void,
): Promise<void> {
  try {
    for await (const status of nc.status()) {
      if (status.type !== "error") continue;
      const error = status.error;
      if (error instanceof PermissionViolationError && error.operation === "publish") {
        denied(error.subject, publishDenied(error.subject, error));
      }
    }
  } catch {
    // The connection closed: nothing more to watch.
  }
}
