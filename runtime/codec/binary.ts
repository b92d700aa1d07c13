import {
  create,
  type DescMessage,
  fromBinary,
  isMessage,
  type Message,
  type MessageInitShape,
  type MessageShape,
  mergeFromBinary,
  toBinary,
} from "@bufbuild/protobuf";
import type { BinaryReader } from "@bufbuild/protobuf/wire";
import { CodecWriter } from "./codec-writer.js";
import { codecOf, type InitFields, maxDecodeDepth } from "./message-codec.js";
import { reader } from "./reader-internals.js";

// Encoding is synchronous and never re-entered, so one writer serves all.
const writer = new CodecWriter();

/** `toBinary(schema, message)`, through the generated codec when there is one. */
export function encodeBinary<D extends DescMessage>(
  schema: D,
  message: MessageShape<D>,
): Uint8Array {
  return writeMessage(schema, message) ? writer.finish() : toBinary(schema, message);
}

/**
 * `encodeBinary` for bytes handed straight to a connection, which copies
 * them: small results are views into a shared slab (`CodecWriter.finishShared`),
 * so they must not be transferred, or have their `buffer` used, by anyone.
 */
export function encodeForSend<D extends DescMessage>(
  schema: D,
  message: MessageShape<D>,
): Uint8Array {
  return writeMessage(schema, message) ? writer.finishShared() : toBinary(schema, message);
}

/**
 * Writes `message` into the shared writer; false when only reflection can
 * encode it: no codec, or a value the codec does not write (out of range, of
 * the wrong type), where protobuf-es decides and says why when it refuses it.
 */
function writeMessage(schema: DescMessage, message: Message): boolean {
  const codec = codecOf(schema);
  if (codec === undefined) return false;
  writer.reset();
  try {
    codec.encode(message, writer);
    return true;
  } catch {
    return false;
  }
}

/**
 * `toBinary(schema, create(schema, init))` without making the message when
 * the generated codec can write the init object as it is. Anything it does
 * not write exactly so (no codec, a value of the wrong type) goes through
 * `create` and `toBinary`, which refuse what they refuse with their own errors.
 */
export function encodeInit<D extends DescMessage>(
  schema: D,
  init: MessageInitShape<D>,
): Uint8Array {
  if (!writeInit(schema, init)) return toBinary(schema, create(schema, init));
  return writer.finish();
}

/** `encodeInit` for bytes handed straight to a connection: see `encodeForSend`. */
export function encodeInitForSend<D extends DescMessage>(
  schema: D,
  init: MessageInitShape<D>,
): Uint8Array {
  if (!writeInit(schema, init)) return toBinary(schema, create(schema, init));
  return writer.finishShared();
}

/** Writes `init` into the shared writer; false when only reflection can encode it. */
function writeInit(schema: DescMessage, init: unknown): boolean {
  const codec = codecOf(schema);
  if (codec === undefined) return false;
  writer.reset();
  try {
    // A complete message is taken as it is, as `create` takes it.
    if (isMessage(init, schema)) codec.encode(init, writer);
    else if (codec.encodeInit !== undefined) codec.encodeInit(init as InitFields, writer);
    else codec.encode(create(schema, init as MessageInitShape<DescMessage>), writer);
    return true;
  } catch {
    return false;
  }
}

/** `fromBinary(schema, bytes)`, through the generated codec when there is one. */
export function decodeBinary<D extends DescMessage>(schema: D, bytes: Uint8Array): MessageShape<D> {
  const codec = codecOf(schema);
  if (codec === undefined) return fromBinary(schema, bytes);
  try {
    return codec.decode(reader(bytes), bytes.byteLength, 1) as MessageShape<D>;
  } catch {
    // Malformed input. Reflection decides, so that what is refused and the
    // error that says why are exactly protobuf-es's: it lets a nested message
    // run past its length where a message without a codec, read from its own
    // slice, stops (decoding is pure, so trying again is safe).
    return fromBinary(schema, bytes);
  }
}

/**
 * Writes a nested message's fields (the caller wrote tag and fork) with its
 * codec, or with reflection for a message that has none (a well-known type,
 * a message of a file generated without codecs).
 */
export function encodeNested(schema: DescMessage, message: Message, writer: CodecWriter): void {
  const codec = codecOf(schema);
  if (codec === undefined) writer.raw(toBinary(schema, message));
  else codec.encode(message, writer);
}

/**
 * Writes a nested message given in an init object (the caller wrote tag and
 * fork): a complete message of the field's type as `encodeNested` does, an
 * init object with the codec's `encodeInit`, or through `create` where the
 * type has none. Throws on anything else, which `create` would keep as it
 * is and `toBinary` then judges.
 */
export function encodeNestedInit(schema: DescMessage, init: unknown, writer: CodecWriter): void {
  if (typeof init !== "object" || init === null || Array.isArray(init)) {
    throw new Error(`not an init object of ${schema.typeName}`);
  }
  const codec = codecOf(schema);
  if (isMessage(init, schema)) encodeNested(schema, init, writer);
  else if (codec?.encodeInit !== undefined) codec.encodeInit(init as InitFields, writer);
  else encodeNested(schema, create(schema, init as MessageInitShape<DescMessage>), writer);
}

/** A repeated field of an init object: an array, or a throw (see `encodeNestedInit`). */
export function initList(value: unknown): readonly unknown[] {
  if (!Array.isArray(value)) throw new Error("not an array");
  return value;
}

/** The entries of a map field of an init object: a plain object's, or a throw. */
export function initEntries(value: unknown): [string, unknown][] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error("not a map object");
  }
  return Object.entries(value);
}

/** Reads a length-prefixed nested message, merging into `into` when given. */
export function decodeNested<D extends DescMessage>(
  schema: D,
  reader: BinaryReader,
  depth: number,
  into?: MessageShape<D>,
): MessageShape<D> {
  checkDepth(schema, depth);
  const codec = codecOf(schema);
  if (codec === undefined) {
    const bytes = reader.bytes();
    return into === undefined ? fromBinary(schema, bytes) : mergeFromBinary(schema, into, bytes);
  }
  const length = reader.uint32();
  return codec.decode(reader, reader.pos + length, depth + 1, into) as MessageShape<D>;
}

/**
 * Reads a nested message written as a group (after its start tag, up to the
 * end tag of `fieldNo`), merging into `into` when given. Only a message with
 * a codec can be read so from the shared reader; for one without, this
 * throws and `decodeBinary` leaves the whole message to `fromBinary`.
 */
export function decodeGroup<D extends DescMessage>(
  schema: D,
  reader: BinaryReader,
  depth: number,
  fieldNo: number,
  into?: MessageShape<D>,
): MessageShape<D> {
  checkDepth(schema, depth);
  const codec = codecOf(schema);
  if (codec === undefined) throw new Error(`no codec reads group ${schema.typeName}`);
  return codec.decode(reader, reader.len, depth + 1, into, fieldNo) as MessageShape<D>;
}

/** Refuses nesting past `maxDecodeDepth`, with protobuf-es's own message. */
function checkDepth(schema: DescMessage, depth: number): void {
  if (depth >= maxDecodeDepth) {
    throw new Error(
      `cannot decode ${schema.typeName} from binary: maximum recursion depth of ${maxDecodeDepth} reached`,
    );
  }
}
