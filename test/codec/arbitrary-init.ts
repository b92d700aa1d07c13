import { type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import fc from "fast-check";
import { arbitraryMessage, enumValue, scalar } from "./arbitrary-message.js";

// Random message init objects, as an application hands them to `create()`:
// fields left out, undefined or null, nested messages as init objects (or,
// now and then, as complete messages), oneofs as `{ case, value }`, maps as
// plain objects. With `loose`, also what `create()` converts or keeps for
// `toBinary` to judge: bytes as number arrays, 64-bit integers as numbers,
// a oneof case without a value, values of the wrong type.

const wrappers =
  /^google\.protobuf\.(Double|Float|Int64|UInt64|Int32|UInt32|Bool|String|Bytes)Value$/;

/** Values of a type no field takes, for the loose variant. */
const wrongType: fc.Arbitrary<unknown> = fc.constantFrom(
  "x",
  1.5,
  -1,
  true,
  2n ** 70n,
  [1],
  {},
  Symbol.for("v"),
  "9".repeat(30),
);

function looseScalar(type: ScalarType, longAsString: boolean, loose: boolean) {
  const valid = scalar(type, longAsString);
  if (!loose) return valid;
  const converted =
    type === ScalarType.BYTES
      ? fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 4 })
      : [ScalarType.INT64, ScalarType.UINT64, ScalarType.SINT64].includes(type)
        ? fc.integer({ min: 0, max: 2 ** 40 })
        : valid;
  return fc.oneof(
    { arbitrary: valid, weight: 6 },
    { arbitrary: converted, weight: 2 },
    { arbitrary: wrongType, weight: 1 },
  );
}

function nestedInit(desc: DescMessage, depth: number, loose: boolean): fc.Arbitrary<unknown> {
  if (depth <= 0) return fc.constant({});
  return fc.oneof(
    { arbitrary: arbitraryInit(desc, depth - 1, loose), weight: 5 },
    // A complete message is taken as it is.
    { arbitrary: arbitraryMessage(desc, Math.min(depth - 1, 1)), weight: 1 },
    ...(loose ? [{ arbitrary: wrongType, weight: 1 }] : []),
  );
}

/** A value for one field as `create()` takes it. */
function initValue(field: DescField, depth: number, loose: boolean): fc.Arbitrary<unknown> {
  switch (field.fieldKind) {
    case "scalar":
      return looseScalar(field.scalar, field.longAsString, loose);
    case "enum":
      return loose ? fc.oneof(enumValue(field), wrongType) : enumValue(field);
    case "message":
      if (field.message.typeName === "google.protobuf.Struct") return fc.constant(undefined);
      if (field.oneof === undefined && wrappers.test(field.message.typeName)) {
        const inner = field.message.fields[0]!;
        return looseScalar(inner.scalar ?? ScalarType.INT32, false, loose);
      }
      return nestedInit(field.message, depth, loose);
    case "list": {
      const item =
        field.listKind === "message"
          ? field.message.typeName === "google.protobuf.Struct"
            ? fc.constant(undefined)
            : nestedInit(field.message, depth, loose)
          : field.listKind === "enum"
            ? enumValue(field)
            : looseScalar(field.scalar, field.longAsString, loose);
      const list = fc
        .array(item, { maxLength: depth > 0 ? 4 : 1 })
        .map((a) => a.filter((x) => x !== undefined));
      return loose ? fc.oneof({ arbitrary: list, weight: 8 }, wrongType) : list;
    }
    case "map": {
      const value =
        field.mapKind === "message"
          ? nestedInit(field.message, depth, loose)
          : field.mapKind === "enum"
            ? enumValue(field)
            : looseScalar(field.scalar, false, loose);
      const map = fc.dictionary(mapKey(field.mapKey), value, { maxKeys: depth > 0 ? 3 : 1 });
      return loose ? fc.oneof({ arbitrary: map, weight: 8 }, wrongType) : map;
    }
  }
}

function mapKey(type: ScalarType): fc.Arbitrary<string> {
  switch (type) {
    case ScalarType.STRING:
      return fc.string({ maxLength: 6 });
    case ScalarType.BOOL:
      return fc.constantFrom("true", "false");
    default:
      return scalar(type, true).map(String);
  }
}

/** Undefined or null (or left out: every key is optional): unset alike for `create()`. */
const unset = fc.constantFrom(undefined, null);

/** A random init object of `desc`. */
export function arbitraryInit(
  desc: DescMessage,
  depth = 3,
  loose = false,
): fc.Arbitrary<Record<string, unknown>> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const member of desc.members) {
    if (member.kind === "oneof") {
      const cases = member.fields.map((f) =>
        (loose
          ? fc.option(initValue(f, depth, loose), { nil: undefined, freq: 6 })
          : initValue(f, depth, loose)
        ).map((value) => ({ case: f.localName, value })),
      );
      fields[member.localName] = fc.oneof(unset, fc.constant({ case: undefined }), ...cases);
    } else {
      fields[member.localName] = fc.oneof(
        { arbitrary: unset, weight: 1 },
        { arbitrary: initValue(member, depth, loose), weight: 3 },
      );
    }
  }
  return fc.record(fields, { requiredKeys: [] }) as fc.Arbitrary<Record<string, unknown>>;
}
