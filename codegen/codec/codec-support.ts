import type { DescField, DescMessage } from "@bufbuild/protobuf";

// google.protobuf.FeatureSet.FieldPresence and google.protobuf.Edition values.
const IMPLICIT = 2;
const EDITION_PROTO3 = 999;
const EDITION_PROTO2 = 998;

/** Types from google/protobuf/wrappers.proto. */
const wrapperTypes = new Set(
  ["Double", "Float", "Int64", "UInt64", "Int32", "UInt32", "Bool", "String", "Bytes"].map(
    (t) => `google.protobuf.${t}Value`,
  ),
);

/**
 * Why `protoc-gen-nats` writes no codec for `message` (it then goes through
 * protobuf-es reflection), or undefined when it writes one. Conservative: a
 * message is covered only where the generated code is known to produce what
 * `toBinary` / `fromBinary` produce.
 */
export function codecUnsupported(message: DescMessage): string | undefined {
  for (const field of message.fields) {
    const reason = fieldUnsupported(field);
    if (reason !== undefined) return `field ${field.name}: ${reason}`;
  }
  return undefined;
}

function fieldUnsupported(field: DescField): string | undefined {
  if (isDelimited(field) && isUnwrapped(field)) return "wrapper type in delimited encoding";
  const message = field.message;
  if (message !== undefined) {
    if (message.typeName === "google.protobuf.Struct") return "google.protobuf.Struct";
  }
  return undefined;
}

/**
 * Whether protobuf-es keeps defaults and presence of `message` on a
 * prototype chain (proto2, and editions with explicit-presence scalars):
 * the codec then starts from `create()`'s zero message and tests presence
 * as an own property.
 */
/** protobuf-es holds a singular wrapper field (not in a oneof) as its scalar value. */
export function isUnwrapped(field: DescField): boolean {
  return (
    field.fieldKind === "message" &&
    field.oneof === undefined &&
    wrapperTypes.has(field.message.typeName)
  );
}

/** A message field written as a group (proto2 groups, editions DELIMITED). */
export function isDelimited(field: DescField): boolean {
  return "delimitedEncoding" in field && field.delimitedEncoding === true;
}

export function needsPrototypeChain(message: DescMessage): boolean {
  switch (message.file.edition) {
    case EDITION_PROTO3:
      return false;
    case EDITION_PROTO2:
      return true;
    default:
      return message.fields.some(
        (f) => f.presence !== IMPLICIT && f.fieldKind !== "message" && f.oneof === undefined,
      );
  }
}
