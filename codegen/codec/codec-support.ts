import type { DescField, DescMessage } from "@bufbuild/protobuf";

// google.protobuf.FeatureSet.FieldPresence and google.protobuf.Edition values.
const IMPLICIT = 2;
const LEGACY_REQUIRED = 3;
const EDITION_PROTO3 = 999;

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
  if (needsPrototypeChain(message)) {
    return "explicit presence of scalar fields (proto2 defaults on a prototype chain)";
  }
  for (const field of message.fields) {
    const reason = fieldUnsupported(field);
    if (reason !== undefined) return `field ${field.name}: ${reason}`;
  }
  return undefined;
}

function fieldUnsupported(field: DescField): string | undefined {
  if (field.presence === LEGACY_REQUIRED) return "required";
  if ("delimitedEncoding" in field && field.delimitedEncoding) return "delimited (group) encoding";
  if (field.enum !== undefined && !field.enum.open) return "closed enum";
  const message = field.message;
  if (message !== undefined) {
    if (message.typeName === "google.protobuf.Struct") return "google.protobuf.Struct";
    if (
      field.fieldKind === "message" &&
      field.oneof === undefined &&
      wrapperTypes.has(message.typeName)
    ) {
      return "wrapper type (unwrapped to a scalar by protobuf-es)";
    }
  }
  return undefined;
}

/** protobuf-es keeps defaults and presence on a prototype chain for these. */
function needsPrototypeChain(message: DescMessage): boolean {
  if (message.file.edition === EDITION_PROTO3) return false;
  return (
    message.fields.some(
      (f) => f.presence !== IMPLICIT && f.fieldKind !== "message" && f.oneof === undefined,
    ) || message.file.edition === 998
  );
}
