import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import type { BrokerMessage } from "../broker/broker.js";
import { decodeBinary } from "../codec/binary.js";
import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import { EventTypeHeader } from "./event-headers.js";

/**
 * Decodes an event body. A body announced as another type, or that is not
 * valid protobuf for the schema, fails with `InvalidArgument`, which a durable
 * subscription dead-letters at once (redelivering cannot fix it).
 */
export function decodeEvent<D extends DescMessage>(
  schema: D,
  message: BrokerMessage,
  typeHeaders?: Readonly<Record<string, string>>,
): MessageShape<D> {
  // `typeHeaders`: the frozen headers publishers of this type send. Headers
  // known to be exactly those need no parse (the common case); anything else
  // (other headers beside, another type, none) is read and checked.
  if (typeHeaders === undefined || message.headersAre?.(typeHeaders) !== true) {
    const type = message.headers[EventTypeHeader];
    if (type !== undefined && type !== schema.typeName) {
      throw new RpcError(
        Code.InvalidArgument,
        `expected a ${schema.typeName} event on ${message.subject}, got ${type}`,
      );
    }
  }
  try {
    return decodeBinary(schema, message.body);
  } catch (error) {
    throw new RpcError(
      Code.InvalidArgument,
      `malformed ${schema.typeName} event on ${message.subject}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}
