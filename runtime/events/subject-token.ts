import { type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";

/** Scalars whose text form is one subject token: no '.', no white space. */
const tokenScalars = new Set<ScalarType>([
  ScalarType.STRING,
  ScalarType.INT32,
  ScalarType.INT64,
  ScalarType.UINT32,
  ScalarType.UINT64,
  ScalarType.SINT32,
  ScalarType.SINT64,
  ScalarType.FIXED32,
  ScalarType.FIXED64,
  ScalarType.SFIXED32,
  ScalarType.SFIXED64,
  ScalarType.BOOL,
]);

const placeholder = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/**
 * One dot-separated token of an event subject template, read against its message.
 * A `literal` holds no braces (whether its characters suit a subject is for the
 * caller to judge: the runtime and the code generator explain it differently);
 * a `field` names a field that may still be unable to fill a token (see
 * {@link canFillToken}).
 */
export type SubjectToken =
  | { readonly kind: "literal"; readonly text: string }
  | { readonly kind: "field"; readonly name: string; readonly field: DescField }
  | { readonly kind: "unknown-field"; readonly name: string }
  | { readonly kind: "stray-brace"; readonly text: string };

/** Whether `field` can fill a `{field}` token: a single string, integer, bool or enum field. */
export function canFillToken(field: DescField): boolean {
  return (
    field.fieldKind === "enum" || (field.fieldKind === "scalar" && tokenScalars.has(field.scalar))
  );
}

/**
 * Reads one token of a subject template. A `{name}` placeholder must fill the
 * whole token and names a field by its proto name or its TypeScript name.
 */
export function readSubjectToken(schema: DescMessage, text: string): SubjectToken {
  const braced = placeholder.exec(text);
  if (braced === null) {
    return /[{}]/.test(text) ? { kind: "stray-brace", text } : { kind: "literal", text };
  }
  const name = braced[1] ?? "";
  const field = schema.fields.find((f) => f.name === name || f.localName === name);
  return field === undefined ? { kind: "unknown-field", name } : { kind: "field", name, field };
}
