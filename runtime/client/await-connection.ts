import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import { markUndelivered } from "../errors/undelivered.js";
import type { Transport } from "../transport/transport.js";

/**
 * Before a call or stream is sent: undefined when the transport is connected
 * (the common case, no promise made), else a promise that waits for the
 * reconnect (`waitForReady`) or rejects at once with `Unavailable`. Sending
 * now would be pointless: nats.js drops what is published while it
 * reconnects.
 */
export function awaitConnection(
  transport: Transport,
  waitForReady: boolean | undefined,
  deadline: number | undefined,
  signal: AbortSignal | undefined,
): Promise<void> | undefined {
  if (transport.connected !== false) return undefined;
  if (waitForReady && transport.whenConnected !== undefined) {
    return transport.whenConnected(deadline, signal);
  }
  return Promise.reject(
    markUndelivered(
      new RpcError(
        Code.Unavailable,
        "NATS connection is down (reconnecting); the call was not sent (waitForReady waits for the reconnect)",
      ),
    ),
  );
}
