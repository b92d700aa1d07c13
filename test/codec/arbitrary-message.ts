import {
  create,
  type DescField,
  type DescMessage,
  type Message,
  ScalarType,
} from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import fc from "fast-check";

// Random messages of any schema, for differential tests of the generated
// codecs against protobuf-es. Zero values are drawn often, since skipping
// them is where encoders differ.

const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const uint32 = fc.integer({ min: 0, max: 0xffffffff });
const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const uint64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });

function orZero<T>(arb: fc.Arbitrary<T>, zero: T): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: fc.constant(zero), weight: 1 }, { arbitrary: arb, weight: 3 });
}

export function scalar(type: ScalarType, longAsString: boolean): fc.Arbitrary<unknown> {
  const long = (arb: fc.Arbitrary<bigint>) =>
    orZero(arb, 0n).map((v) => (longAsString ? String(v) : v));
  switch (type) {
    case ScalarType.DOUBLE:
      return orZero(fc.double(), 0);
    case ScalarType.FLOAT:
      return orZero(fc.float(), 0);
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return orZero(int32, 0);
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return orZero(uint32, 0);
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return long(int64);
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return long(uint64);
    case ScalarType.BOOL:
      return fc.boolean();
    case ScalarType.STRING:
      return orZero(fc.string({ unit: "binary", maxLength: 12 }), "");
    case ScalarType.BYTES:
      return orZero(fc.uint8Array({ maxLength: 12 }), new Uint8Array(0));
  }
}

function mapKey(type: ScalarType): fc.Arbitrary<string> {
  switch (type) {
    case ScalarType.STRING:
      return fc.string({ maxLength: 6 });
    case ScalarType.BOOL:
      return fc.constantFrom("true", "false");
    default:
      return (scalar(type, true) as fc.Arbitrary<unknown>).map(String);
  }
}

export function enumValue(field: DescField): fc.Arbitrary<number> {
  const known = field.enum!.values.map((v) => v.number);
  return field.enum!.open ? fc.oneof(fc.constantFrom(...known), int32) : fc.constantFrom(...known);
}

const wrappers =
  /^google\.protobuf\.(Double|Float|Int64|UInt64|Int32|UInt32|Bool|String|Bytes)Value$/;

/** A value for one field as `create()` takes it, or undefined to leave it unset. */
function fieldValue(field: DescField, depth: number): fc.Arbitrary<unknown> {
  const message = (desc: DescMessage) =>
    depth <= 0 ? fc.constant(create(desc)) : arbitraryMessage(desc, depth - 1);
  switch (field.fieldKind) {
    case "scalar":
      return scalar(field.scalar, field.longAsString);
    case "enum":
      return enumValue(field);
    case "message":
      if (field.message.typeName === "google.protobuf.Struct") return fc.constant(undefined);
      if (field.oneof === undefined && wrappers.test(field.message.typeName)) {
        return scalar(field.message.fields[0]!.scalar ?? ScalarType.INT32, false);
      }
      return message(field.message);
    case "list": {
      const item =
        field.listKind === "message"
          ? field.message.typeName === "google.protobuf.Struct"
            ? fc.constant(undefined)
            : message(field.message)
          : field.listKind === "enum"
            ? enumValue(field)
            : scalar(field.scalar, field.longAsString);
      return fc
        .array(item, { maxLength: depth > 0 ? 4 : 1 })
        .map((a) => a.filter((x) => x !== undefined));
    }
    case "map": {
      const value =
        field.mapKind === "message"
          ? message(field.message)
          : field.mapKind === "enum"
            ? enumValue(field)
            : scalar(field.scalar, false);
      return fc.dictionary(mapKey(field.mapKey), value, { maxKeys: depth > 0 ? 3 : 1 });
    }
  }
}

/** Unknown fields with numbers the schema does not use. */
function unknownFields(desc: DescMessage) {
  const taken = new Set(desc.fields.map((f) => f.number));
  const free = fc
    .integer({ min: 1, max: 600 })
    .filter((n) => !taken.has(n) && (n < 19000 || n > 19999));
  const field = fc.oneof(
    fc.tuple(free, uint64).map(([no, v]) => ({
      no,
      wireType: WireType.Varint,
      data: new BinaryWriter().uint64(v).finish(),
    })),
    fc.tuple(free, fc.uint8Array({ maxLength: 8 })).map(([no, b]) => ({
      no,
      wireType: WireType.LengthDelimited,
      data: new BinaryWriter().bytes(b).finish(),
    })),
    fc.tuple(free, uint32).map(([no, v]) => ({
      no,
      wireType: WireType.Bit32,
      data: new BinaryWriter().fixed32(v).finish(),
    })),
  );
  return fc.option(fc.array(field, { minLength: 1, maxLength: 3 }), { freq: 3, nil: undefined });
}

/** A random message of `desc`, made with `create()` as an application would. */
export function arbitraryMessage(desc: DescMessage, depth = 3): fc.Arbitrary<Message> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const member of desc.members) {
    if (member.kind === "oneof") {
      const cases = member.fields.map((f) =>
        fieldValue(f, depth).map((value) => ({ case: f.localName, value })),
      );
      fields[member.localName] = fc.oneof(fc.constant(undefined), ...cases);
    } else {
      fields[member.localName] = fc.option(fieldValue(member, depth), { nil: undefined, freq: 4 });
    }
  }
  return fc.tuple(fc.record(fields), unknownFields(desc)).map(([init, unknown]) => {
    const defined = Object.fromEntries(Object.entries(init).filter(([, v]) => v !== undefined));
    const message = create(desc, defined) as Message;
    if (unknown !== undefined) message.$unknown = unknown;
    return message;
  });
}
