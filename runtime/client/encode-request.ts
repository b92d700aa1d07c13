import type { DescMessage, Message, MessageInitShape } from "@bufbuild/protobuf";
import { checkWithin, encodeInitWithin } from "../call/encode-message.js";
import { encodeBinary } from "../codec/binary.js";
import { RpcError } from "../errors/rpc-error.js";
import { markUndelivered } from "../errors/undelivered.js";

/**
 * Encodes a request message, refusing one above `maxPayload` before it is
 * sent: `ResourceExhausted`, marked undelivered since no server saw it.
 */
export function encodeRequest(
  maxPayload: number,
  schema: DescMessage,
  message: Message,
): Uint8Array {
  return undelivered(() => checkWithin(maxPayload, encodeBinary(schema, message), what));
}

/**
 * `encodeRequest` of the caller's init object, without making a message of
 * it. The bytes may be a view into the codec's shared slab, which is never
 * reused: they stay valid while the call holds them for retries.
 */
export function encodeRequestInit(
  maxPayload: number,
  schema: DescMessage,
  init: MessageInitShape<DescMessage>,
): Uint8Array {
  return undelivered(() => encodeInitWithin(maxPayload, schema, init, what));
}

const what = "request message";

function undelivered(encode: () => Uint8Array): Uint8Array {
  try {
    return encode();
  } catch (error) {
    throw error instanceof RpcError ? markUndelivered(error) : error;
  }
}
