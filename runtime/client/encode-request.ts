import type { DescMessage, Message } from "@bufbuild/protobuf";
import { encodeWithin } from "../call/encode-message.js";
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
  try {
    return encodeWithin(maxPayload, schema, message, "request message");
  } catch (error) {
    throw error instanceof RpcError ? markUndelivered(error) : error;
  }
}
