import type { DescMessage, Message } from "@bufbuild/protobuf";
import { encodeBinary, encodeForSend } from "../codec/binary.js";
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
  return checkedSize(encodeBinary(schema, message), maxPayload, what);
}

/**
 * `encodeWithin` for bytes handed straight to a transport, which copies them
 * or only reads them: a small result is a view into a shared slab
 * (`encodeForSend`), so nobody may transfer it or use its `buffer`.
 */
export function encodeForSendWithin(
  maxPayload: number,
  schema: DescMessage,
  message: Message,
  what: string,
): Uint8Array {
  return checkedSize(encodeForSend(schema, message), maxPayload, what);
}

function checkedSize(body: Uint8Array, maxPayload: number, what: string): Uint8Array {
  if (body.length > maxPayload) {
    throw new RpcError(
      Code.ResourceExhausted,
      `${what} of ${body.length} bytes exceeds the NATS server's max_payload of ${maxPayload} bytes`,
    );
  }
  return body;
}
