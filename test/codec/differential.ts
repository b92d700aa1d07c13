import { deepStrictEqual } from "node:assert/strict";
import { create, type DescMessage, fromBinary, type Message, toBinary } from "@bufbuild/protobuf";
import fc from "fast-check";
import {
  CodecWriter,
  codecOf,
  decodeBinary,
  encodeBinary,
  encodeInit,
  encodeInitForSend,
} from "protonats/protocol";
import { arbitraryInit } from "./arbitrary-init.js";
import { arbitraryMessage } from "./arbitrary-message.js";

// The properties a generated codec must have: protobuf-es reflection is the
// reference, for encoding and for decoding whatever a peer may send.

type Outcome = { value: unknown } | { error: true };

function errorOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function outcome(fn: () => unknown): Outcome {
  try {
    return { value: fn() };
  } catch {
    return { error: true };
  }
}

/** Byte-for-byte `toBinary`, object-for-object `fromBinary` of the result. */
export function sameAsReflection(schema: DescMessage): fc.IPropertyWithHooks<[Message]> {
  return fc.property(arbitraryMessage(schema), (message) => {
    const refused = outcome(() => toBinary(schema, message));
    if ("error" in refused) {
      // A required field left unset: refused alike, with protobuf-es's error.
      const reflectionError = errorOf(() => toBinary(schema, message));
      if (errorOf(() => encodeBinary(schema, message)) !== reflectionError) {
        throw new Error(`toBinary refuses the message (${reflectionError}), encodeBinary does not`);
      }
      return;
    }
    const expected = toBinary(schema, message);
    const actual = encodeBinary(schema, message);
    if (Buffer.compare(actual, expected) !== 0) {
      throw new Error(
        `encodings differ:\n  toBinary ${Buffer.from(expected).toString("hex")}\n  codec    ${Buffer.from(actual).toString("hex")}`,
      );
    }
    assertSame(decodeBinary(schema, expected), fromBinary(schema, expected));
  });
}

/**
 * `encodeInit` of any init object, well-formed or not: the bytes of
 * `toBinary(create(init))`, or its error. For every schema, with a codec or not.
 */
export function sameAsCreateThenToBinary(
  schema: DescMessage,
): fc.IPropertyWithHooks<[Record<string, unknown>]> {
  return fc.property(arbitraryInit(schema, 3, true), (init) => {
    const expected = outcome(() => toBinary(schema, create(schema, init)));
    for (const encode of [encodeInit, encodeInitForSend]) {
      const actual = outcome(() => encode(schema, init));
      if ("error" in expected || "error" in actual) {
        const want = errorOf(() => toBinary(schema, create(schema, init)));
        const got = errorOf(() => encode(schema, init));
        if (got !== want)
          throw new Error(`toBinary(create()) fails with ${want}, ${encode.name} ${got}`);
        continue;
      }
      assertSameBytes(actual.value as Uint8Array, expected.value as Uint8Array);
    }
  });
}

/**
 * A well-formed init object is written by the generated `encodeInit` itself
 * (called directly, so a fallback to `create` cannot hide a difference).
 */
export function codecWritesInit(
  schema: DescMessage,
): fc.IPropertyWithHooks<[Record<string, unknown>]> {
  const codec = codecOf(schema);
  if (codec?.encodeInit === undefined) throw new Error(`${schema.typeName} has no encodeInit`);
  return fc.property(arbitraryInit(schema, 3, false), (init) => {
    // A required field left out: toBinary refuses it, and so does encodeInit.
    fc.pre(errorOf(() => toBinary(schema, create(schema, init))) === undefined);
    const writer = new CodecWriter();
    codec.encodeInit!(init, writer);
    assertSameBytes(writer.finish(), toBinary(schema, create(schema, init)));
  });
}

function assertSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  if (Buffer.compare(actual, expected) !== 0) {
    throw new Error(
      `encodings differ:\n  toBinary ${Buffer.from(expected).toString("hex")}\n  codec    ${Buffer.from(actual).toString("hex")}`,
    );
  }
}

/**
 * Two encodings one after the other (protobuf's merge: lists append,
 * singular messages merge, the last scalar wins), and random bytes spliced
 * in: the same message, or an error from both.
 */
export function sameDecodeOfAnyBytes(
  schema: DescMessage,
): fc.IPropertyWithHooks<[Message, Message, Uint8Array, number]> {
  return fc.property(
    arbitraryMessage(schema, 2),
    arbitraryMessage(schema, 2),
    fc.uint8Array({ maxLength: 16 }),
    fc.nat(),
    (a, b, noise, at) => {
      // Messages toBinary refuses (required fields unset) make no input.
      fc.pre(errorOf(() => [toBinary(schema, a), toBinary(schema, b)]) === undefined);
      const first = toBinary(schema, a);
      const merged = Buffer.concat([first, toBinary(schema, b)]);
      assertSame(decodeBinary(schema, merged), fromBinary(schema, merged));
      const cut = at % (first.length + 1);
      const spliced = Buffer.concat([first.subarray(0, cut), noise, first.subarray(cut)]);
      const expected = outcome(() => fromBinary(schema, spliced));
      const actual = outcome(() => decodeBinary(schema, spliced));
      if ("error" in expected || "error" in actual) {
        if ("error" in expected !== "error" in actual) {
          throw new Error(
            `bytes ${spliced.toString("hex")}: reflection ${"error" in expected ? "fails" : "decodes"}, codec ${"error" in actual ? "fails" : "decodes"}`,
          );
        }
        return;
      }
      assertSame(actual.value, expected.value);
    },
  );
}

/** Node's strict deep equality: same prototypes and own keys, NaN equals NaN, -0 is not 0. */
function assertSame(actual: unknown, expected: unknown): void {
  deepStrictEqual(actual, expected);
}
