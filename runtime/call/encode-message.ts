import type { DescMessage, Message } from "@bufbuild/protobuf";
import { encodeBinary } from "../codec/binary.js";
import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";

/**
 * Encodes a message and refuses it with `ResourceExhausted` when it exceeds
 * `maxPayload` (the NATS server's `max_payload`): NATS would otherwise drop
 * the whole connection. `what` names it in the error ("request message", ...).
 */
export function encodeWithin(
  maxPayload: number,
  schema: DescMessage,
  message: Message,
  what: string,
): Uint8Array {
  return checkWithin(maxPayload, encodeBinary(schema, message), what);
}

/** `body` when it fits `maxPayload`, else `ResourceExhausted` naming `what`. */
export function checkWithin(maxPayload: number, body: Uint8Array, what: string): Uint8Array {
  if (body.length > maxPayload) {
    throw new RpcError(
      Code.ResourceExhausted,
      `${what} of ${body.length} bytes exceeds the NATS server's max_payload of ${maxPayload} bytes`,
    );
  }
  return body;
}
