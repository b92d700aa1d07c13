import { type DescMessage, type Message, toBinary } from "@bufbuild/protobuf";
import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import { markUndelivered } from "../errors/undelivered.js";
import type { Transport } from "../transport/transport.js";

/**
 * Encodes a request message and refuses it before sending when it exceeds
 * the transport's `max_payload`: `ResourceExhausted`, marked undelivered
 * since no server saw it (NATS would otherwise drop the connection).
 */
export function encodeRequest(
  transport: Transport,
  schema: DescMessage,
  message: Message,
): Uint8Array {
  const body = toBinary(schema, message);
  const max = transport.maxPayload;
  if (body.length > max) {
    throw markUndelivered(
      new RpcError(
        Code.ResourceExhausted,
        `request message of ${body.length} bytes exceeds the NATS server's max_payload of ${max} bytes`,
      ),
    );
  }
  return body;
}
