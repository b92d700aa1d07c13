import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";

/**
 * `body` when it fits `maxPayload` (the NATS server's `max_payload`), else
 * `ResourceExhausted` naming `what` ("request message", ...): NATS would
 * otherwise drop the whole connection.
 */
export function checkWithin(maxPayload: number, body: Uint8Array, what: string): Uint8Array {
  if (body.length > maxPayload) {
    throw new RpcError(
      Code.ResourceExhausted,
      `${what} of ${body.length} bytes exceeds the NATS server's max_payload of ${maxPayload} bytes`,
    );
  }
  return body;
}
