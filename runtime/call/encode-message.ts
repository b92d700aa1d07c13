import type { DescMessage, MessageInitShape } from "@bufbuild/protobuf";
import { encodeInitForSend } from "../codec/binary.js";
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

/**
 * A message or its init object encoded for sending (`encodeInitForSend`: a
 * view into the codec's slab, which is never written twice), refused like
 * `checkWithin` when it exceeds `maxPayload`.
 */
export function encodeInitWithin(
  maxPayload: number,
  schema: DescMessage,
  init: unknown,
  what: string,
): Uint8Array {
  return checkWithin(
    maxPayload,
    encodeInitForSend(schema, init as MessageInitShape<DescMessage>),
    what,
  );
}
