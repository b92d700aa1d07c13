import type { DescMessage, Message } from "@bufbuild/protobuf";
import type { BinaryReader } from "@bufbuild/protobuf/wire";
import type { CodecWriter } from "./codec-writer.js";

/**
 * A per-message binary codec written by `protoc-gen-nats`: the same bytes as
 * protobuf-es `toBinary` and the same objects as `fromBinary`, without the
 * reflection those walk through for every field.
 */
export interface MessageCodec<M extends Message = Message> {
  /** Writes the fields of `message` (no length prefix) into `writer`. */
  encode(message: M, writer: CodecWriter): void;
  /**
   * Writes the fields of an init object (what `create(schema, init)` takes:
   * fields missing or null, nested messages as init objects) exactly as
   * `encode(create(schema, init))` would, without making the message. Throws
   * on anything it does not write exactly so (a value of the wrong type, a
   * oneof case without a value); `encodeInit` then leaves the object to
   * `create` and `toBinary`. Absent on codecs written by hand.
   */
  encodeInit?(init: InitFields, writer: CodecWriter): void;
  /**
   * Reads fields up to `end` into a new message, or merges them into `into`
   * (protobuf's rule for a singular message field that occurs twice).
   * `depth` counts nesting, so a hostile peer cannot exhaust the stack.
   * With `group`, reads a group up to its end tag of that field number.
   */
  decode(reader: BinaryReader, end: number, depth: number, into?: M, group?: number): M;
}

/**
 * A message init object as a generated `encodeInit` reads it: any field may
 * hold anything, and the writer checks what it writes.
 */
export type InitFields = { readonly [localName: string]: unknown };

/** A oneof of an init object: `{ case, value }`, or anything else that selects no case. */
export type InitOneof = { readonly case?: unknown; readonly value?: unknown } | null | undefined;

/** Nesting a decoder refuses beyond: protobuf-es's default recursion limit. */
export const maxDecodeDepth = 100;

const codecs = new WeakMap<DescMessage, MessageCodec>();

/**
 * Makes `codec` the binary codec of `schema` for the runtime's encode and
 * decode helpers. Generated code calls this when its module loads.
 */
export function registerCodec<M extends Message>(
  schema: DescMessage,
  codec: MessageCodec<M>,
): void {
  codecs.set(schema, codec as unknown as MessageCodec);
}

/** The generated codec of `schema`, if one is registered. */
export function codecOf(schema: DescMessage): MessageCodec | undefined {
  return codecs.get(schema);
}
