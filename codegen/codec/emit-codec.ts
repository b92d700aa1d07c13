import { type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import type { GeneratedFile, Printable } from "@bufbuild/protoplugin";
import { protocolPackage } from "../render/runtime-package.js";
import { isDelimited, isUnwrapped, needsPrototypeChain } from "./codec-support.js";

const IMPLICIT = 2;
const LEGACY_REQUIRED = 3;
const wire = "@bufbuild/protobuf/wire";

/** The BinaryWriter/BinaryReader method of a scalar type: its proto name (`sint64`). */
const scalarMethod = (type: ScalarType): string => ScalarType[type].toLowerCase();

const longTypes = new Set([
  ScalarType.INT64,
  ScalarType.UINT64,
  ScalarType.FIXED64,
  ScalarType.SFIXED64,
  ScalarType.SINT64,
]);

function wireType(scalar: ScalarType): string {
  switch (scalar) {
    case ScalarType.BYTES:
    case ScalarType.STRING:
      return "LengthDelimited";
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return "Bit64";
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
    case ScalarType.FLOAT:
      return "Bit32";
    default:
      return "Varint";
  }
}

/** A scalar or enum type as the generator needs it: enum values are int32 on the wire. */
interface ScalarInfo {
  readonly scalar: ScalarType;
  readonly longAsString: boolean;
  readonly utf8: boolean;
}

function fieldScalar(field: DescField): ScalarInfo {
  const longAsString = "longAsString" in field && field.longAsString === true;
  return { scalar: field.scalar ?? ScalarType.INT32, longAsString, utf8: field.utf8Validation };
}

/** A map's key as a scalar: 64-bit keys are strings in the object whatever the field says. */
function mapKeyInfo(field: DescField & { fieldKind: "map" }): ScalarInfo {
  return { scalar: field.mapKey, longAsString: false, utf8: field.utf8Validation };
}

/**
 * Emits `registerCodec(Schema, { encode, decode })` for one message, the
 * source text of a codec equivalent to protobuf-es reflection for the field
 * kinds `codecUnsupported` accepts. Encode follows `toBinary`: fields in
 * number order, each only when set, unknown fields last. Decode follows
 * `fromBinary`: a zero message as `create` makes it, fields by number
 * whatever their wire type, packed or unpacked lists, repeated singular
 * messages merged, unknown fields kept.
 */
export function emitCodec(f: GeneratedFile, message: DescMessage): Printable[] {
  const W = f.import("WireType", wire);
  const shape = f.importShape(message);
  const out: Printable[] = [];
  const line = (...p: Printable[]) => out.push(...p, "\n");
  const nested = (desc: DescMessage) => f.importSchema(desc);
  const encodeNested = f.import("encodeNested", protocolPackage);
  const decodeNested = f.import("decodeNested", protocolPackage);

  const writeScalar = (no: number, s: ScalarInfo, value: string): Printable[] => [
    "w.tag(",
    no,
    ", ",
    W,
    ".",
    wireType(s.scalar),
    ").",
    scalarMethod(s.scalar),
    "(",
    value,
    ");",
  ];
  const readScalar = (s: ScalarInfo): string => {
    const call = `r.${scalarMethod(s.scalar)}(${s.scalar === ScalarType.STRING && s.utf8 ? "true" : ""})`;
    if (!longTypes.has(s.scalar)) return call;
    return s.longAsString ? `String(${call})` : `(${call} as bigint)`;
  };
  const zeroScalar = (s: ScalarInfo): Printable => {
    switch (s.scalar) {
      case ScalarType.STRING:
        return '""';
      case ScalarType.BOOL:
        return "false";
      case ScalarType.BYTES:
        return "new Uint8Array(0)";
      default:
        if (!longTypes.has(s.scalar)) return "0";
        return s.longAsString ? '"0"' : [f.import("protoInt64", "@bufbuild/protobuf"), ".zero"];
    }
  };
  const isSetImplicit = (s: ScalarInfo, v: string): string => {
    switch (s.scalar) {
      case ScalarType.STRING:
        return `${v} !== ""`;
      case ScalarType.BOOL:
        return `${v} !== false`;
      case ScalarType.BYTES:
        return `${v}.byteLength !== 0`;
      case ScalarType.DOUBLE:
      case ScalarType.FLOAT:
        return `!Object.is(${v}, 0)`;
      default:
        return longTypes.has(s.scalar) ? `Number(${v}) !== 0` : `${v} !== 0`;
    }
  };

  // The key as toBinary writes it: an object key converted back to the key's type
  // (a key that is neither "true" nor "false" stays a string, truthy unless empty).
  const mapKeyValue = (k: ScalarInfo): string =>
    k.scalar === ScalarType.STRING || longTypes.has(k.scalar)
      ? "k"
      : k.scalar === ScalarType.BOOL
        ? 'k !== "false" && k !== ""'
        : "Number.parseInt(k)";

  // toBinary refuses it; the codec throws, and encodeBinary leaves the message to toBinary.
  const requiredMissing = (field: DescField): string =>
    `throw new Error("required field ${field.name} not set");`;

  // A nested message: length-delimited, or between group tags.
  const writeMessage = (
    field: DescField & { message: DescMessage },
    value: string,
    encoder: Printable = encodeNested,
  ): Printable[] =>
    isDelimited(field)
      ? [
          "w.tag(",
          field.number,
          ", ",
          W,
          ".StartGroup); ",
          encoder,
          "(",
          nested(field.message),
          ", ",
          value,
          ", w); w.tag(",
          field.number,
          ", ",
          W,
          ".EndGroup);",
        ]
      : [
          "w.tag(",
          field.number,
          ", ",
          W,
          ".LengthDelimited).fork(); ",
          encoder,
          "(",
          nested(field.message),
          ", ",
          value,
          ", w); w.join();",
        ];
  const decodeGroup = f.import("decodeGroup", protocolPackage);
  const readMessage = (field: DescField & { message: DescMessage }, into: string): Printable[] =>
    isDelimited(field)
      ? [
          decodeGroup,
          "(",
          nested(field.message),
          ", r, depth, ",
          field.number,
          into === "" ? "" : `, ${into}`,
          ")",
        ]
      : [
          decodeNested,
          "(",
          nested(field.message),
          ", r, depth",
          into === "" ? "" : `, ${into}`,
          ")",
        ];

  line(f.import("registerCodec", protocolPackage), "(", f.importSchema(message), ", {");
  // encode
  line("  encode(m: ", shape, ", w: ", f.import("CodecWriter", protocolPackage, true), "): void {");
  const sorted = [...message.fields].sort((a, b) => a.number - b.number);
  for (const field of sorted) {
    const no = field.number;
    const oneof = field.oneof;
    const v = oneof === undefined ? `m.${field.localName}` : `m.${oneof.localName}.value`;
    const guard =
      oneof === undefined ? undefined : `m.${oneof.localName}.case === "${field.localName}"`;
    switch (field.fieldKind) {
      case "scalar":
      case "enum": {
        const s = fieldScalar(field);
        // Explicit presence is an own property, as protobuf-es tests it
        // (proto2 defaults live on the prototype).
        const cond =
          guard ??
          (field.presence !== IMPLICIT
            ? `Object.prototype.hasOwnProperty.call(m, "${field.localName}") && ${v} !== undefined`
            : field.fieldKind === "enum"
              ? `${v} !== ${field.enum.values[0]!.number}`
              : isSetImplicit(s, v));
        line("    if (", cond, ") ", ...writeScalar(no, s, v));
        if (field.presence === LEGACY_REQUIRED) line("    else ", requiredMissing(field));
        break;
      }
      case "message":
        if (isUnwrapped(field)) {
          // The wrapper message around the scalar, its value written when not zero.
          const inner = field.message.fields[0]!;
          const s = fieldScalar(inner);
          line("    if (", v, " !== undefined) {");
          line("      w.tag(", no, ", ", W, ".LengthDelimited).fork();");
          line("      if (", isSetImplicit(s, v), ") ", ...writeScalar(1, s, v));
          line("      w.join();");
          line(
            "    }",
            field.presence === LEGACY_REQUIRED ? [" else ", requiredMissing(field)] : "",
          );
          break;
        }
        line("    if (", guard ?? `${v} !== undefined`, ") {");
        line("      ", ...writeMessage(field, v));
        line("    }", field.presence === LEGACY_REQUIRED ? [" else ", requiredMissing(field)] : "");
        break;
      case "list":
        if (field.listKind === "message") {
          line("    for (const x of ", v, ") {");
          line("      ", ...writeMessage(field, "x"));
          line("    }");
        } else {
          const s = fieldScalar(field);
          if (field.packed) {
            line("    if (", v, ".length > 0) {");
            line("      w.tag(", no, ", ", W, ".LengthDelimited).fork();");
            line("      for (const x of ", v, ") w.", scalarMethod(s.scalar), "(x);");
            line("      w.join();");
            line("    }");
          } else {
            line("    for (const x of ", v, ") ", ...writeScalar(no, s, "x"));
          }
        }
        break;
      case "map": {
        const k = mapKeyInfo(field);
        const key = mapKeyValue(k);
        line("    for (const [k, x] of Object.entries(", v, ")) {");
        line("      w.tag(", no, ", ", W, ".LengthDelimited).fork();");
        line("      ", ...writeScalar(1, k, key));
        if (field.mapKind === "message") {
          line("      w.tag(2, ", W, ".LengthDelimited).fork();");
          line("      ", encodeNested, "(", nested(field.message), ", x, w);");
          line("      w.join();");
        } else {
          line("      ", ...writeScalar(2, fieldScalar(field), "x"));
        }
        line("      w.join();");
        line("    }");
        break;
      }
    }
  }
  line("    const unknown = m.$unknown;");
  line(
    "    if (unknown !== undefined) for (const u of unknown) w.tag(u.no, u.wireType).raw(u.data);",
  );
  line("  },");

  emitEncodeInit(f, message, line, { writeScalar, writeMessage, isSetImplicit, mapKeyValue });

  // decode
  const reader = f.import("BinaryReader", wire, true);
  line(
    "  decode(r: ",
    reader,
    ", end: number, depth: number, into?: ",
    shape,
    ", group?: number): ",
    shape,
    " {",
  );
  if (needsPrototypeChain(message)) {
    // The zero message of create(): defaults on a shared prototype.
    line(
      "    const m: ",
      shape,
      " = into ?? ",
      f.import("create", "@bufbuild/protobuf"),
      "(",
      f.importSchema(message),
      ");",
    );
  } else {
    line("    const m: ", shape, " = into ?? {");
    line('      $typeName: "', message.typeName, '",');
    for (const member of message.members) {
      if (member.kind === "oneof") {
        line("      ", member.localName, ": { case: undefined },");
      } else if (member.presence === IMPLICIT) {
        const zero: Printable =
          member.fieldKind === "list"
            ? "[]"
            : member.fieldKind === "map"
              ? "{}"
              : member.fieldKind === "enum"
                ? String(member.enum.values[0]!.number)
                : member.fieldKind === "scalar"
                  ? zeroScalar(fieldScalar(member))
                  : "undefined";
        line("      ", member.localName, ": ", zero, ",");
      }
    }
    line("    };");
  }
  line("    const unknown = m.$unknown ?? [];");
  line("    let no = 0;");
  line("    let wt: ", W, " = ", W, ".Varint;");
  line("    while (r.pos < end) {");
  line("      [no, wt] = r.tag();");
  line("      if (wt === ", W, ".EndGroup && group !== undefined) break;");
  line("      switch (no) {");
  for (const field of sorted) {
    line("        case ", field.number, ": {");
    const oneof = field.oneof;
    const set = (value: Printable[]): Printable[] =>
      oneof === undefined
        ? ["m.", field.localName, " = ", ...value, ";"]
        : ["m.", oneof.localName, ' = { case: "', field.localName, '", value: ', ...value, " };"];
    switch (field.fieldKind) {
      case "scalar":
        line("          ", ...set([readScalar(fieldScalar(field))]));
        break;
      case "enum":
        if (field.enum.open) {
          line("          ", ...set(["r.int32()"]));
        } else {
          // A value a closed enum does not know is an unknown field (protobuf-es
          // attaches it at once, and the fields skipped later replace it).
          const known = [...new Set(field.enum.values.map((e) => e.number))];
          line("          const v = r.int32();");
          line("          if (", known.map((n) => `v === ${n}`).join(" || "), ") ", ...set(["v"]));
          line("          else {");
          line("            const u = m.$unknown ?? [];");
          line(
            "            u.push({ no, wireType: wt, data: new ",
            f.import("BinaryWriter", wire),
            "().int32(v).finish() });",
          );
          line("            m.$unknown = u;");
          line("          }");
        }
        break;
      case "message": {
        if (isUnwrapped(field)) {
          // Read like the wrapper message (merged into the value held), then unwrapped.
          const s = fieldScalar(field.message.fields[0]!);
          const depthLimit = f.import("maxDecodeDepth", protocolPackage);
          line(
            "          if (depth >= ",
            depthLimit,
            ') throw new Error("maximum recursion depth reached");',
          );
          line("          const e = r.uint32() + r.pos;");
          line("          let v = m.", field.localName, " ?? ", zeroScalar(s), ";");
          line("          while (r.pos < e) {");
          line("            const [wrappedNo, wrappedType] = r.tag();");
          line("            if (wrappedNo === 1) v = ", readScalar(s), ";");
          line("            else r.skip(wrappedType, wrappedNo, ", depthLimit, " - depth - 1);");
          line("          }");
          line("          m.", field.localName, " = v;");
          break;
        }
        const into =
          oneof === undefined
            ? `m.${field.localName}`
            : `m.${oneof.localName}.case === "${field.localName}" ? m.${oneof.localName}.value : undefined`;
        line("          ", ...set(readMessage(field, into)));
        break;
      }
      case "list":
        if (field.listKind === "message") {
          line("          m.", field.localName, ".push(", ...readMessage(field, ""), ");");
        } else {
          const s = fieldScalar(field);
          const read = readScalar(s);
          if (s.scalar === ScalarType.STRING || s.scalar === ScalarType.BYTES) {
            line("          m.", field.localName, ".push(", read, ");");
          } else {
            line("          if (wt === ", W, ".LengthDelimited) {");
            line("            const e = r.uint32() + r.pos;");
            line("            while (r.pos < e) m.", field.localName, ".push(", read, ");");
            line("          } else m.", field.localName, ".push(", read, ");");
          }
        }
        break;
      case "map": {
        const k = mapKeyInfo(field);
        const keyRead = readScalar({ ...k, longAsString: true });
        const stringKey = k.scalar === ScalarType.BOOL || longTypes.has(k.scalar);
        const keyZero =
          k.scalar === ScalarType.BOOL
            ? '"false"'
            : longTypes.has(k.scalar)
              ? '"0"'
              : zeroScalar(k);
        line("          const e = r.uint32() + r.pos;");
        line(
          "          let k: ",
          stringKey ? "string" : k.scalar === ScalarType.STRING ? "string" : "number",
          " | undefined;",
        );
        let valueRead: Printable[];
        let valueZero: Printable[];
        let valueType: Printable;
        if (field.mapKind === "message") {
          valueRead = [decodeNested, "(", nested(field.message), ", r, depth)"];
          valueZero = [f.import("create", "@bufbuild/protobuf"), "(", nested(field.message), ")"];
          valueType = f.importShape(field.message);
        } else if (field.mapKind === "enum") {
          valueRead = ["r.int32()"];
          valueZero = [String(field.enum.values[0]!.number)];
          valueType = [
            "(typeof m.",
            field.localName,
            ")[",
            stringKey || k.scalar === ScalarType.STRING ? "string" : "number",
            "]",
          ];
        } else {
          const s = fieldScalar(field);
          valueRead = [readScalar(s)];
          valueZero = [zeroScalar(s)];
          valueType = [
            "(typeof m.",
            field.localName,
            ")[",
            stringKey || k.scalar === ScalarType.STRING ? "string" : "number",
            "]",
          ];
        }
        line("          let x: ", valueType, " | undefined;");
        line("          while (r.pos < e) {");
        line("            const [entryNo] = r.tag();");
        line(
          "            if (entryNo === 1) k = ",
          stringKey ? `String(${keyRead.replace(/^String\((.*)\)$/, "$1")})` : keyRead,
          ";",
        );
        line("            else if (entryNo === 2) x = ", ...valueRead, ";");
        line("          }");
        line("          m.", field.localName, "[k ?? ", keyZero, "] = x ?? ", ...valueZero, ";");
        break;
      }
    }
    line("          break;");
    line("        }");
  }
  line("        default:");
  line(
    "          unknown.push({ no, wireType: wt, data: r.skip(wt, no, ",
    f.import("maxDecodeDepth", protocolPackage),
    " - depth) });",
  );
  line("      }");
  line("    }");
  line(
    "    if (group !== undefined && (wt !== ",
    W,
    '.EndGroup || no !== group)) throw new Error("invalid end group tag");',
  );
  line("    if (unknown.length > 0) m.$unknown = unknown;");
  line("    return m;");
  line("  },");
  out.push("});");
  return out;
}

/** What `emitEncodeInit` shares with the encoder of complete messages. */
interface EncodeParts {
  writeScalar(no: number, s: ScalarInfo, value: string): Printable[];
  writeMessage(
    field: DescField & { message: DescMessage },
    value: string,
    encoder: Printable,
  ): Printable[];
  isSetImplicit(s: ScalarInfo, v: string): string;
  mapKeyValue(k: ScalarInfo): string;
}

/**
 * Emits `encodeInit`: the fields of an init object written as `encode`
 * writes `create(schema, init)`. What `create` changes is what differs: a
 * field missing or null is unset (with explicit presence too, so a proto2
 * default is written only when given), nested messages may be init objects,
 * `$unknown` is not copied. Values `create` would convert or keep as they
 * are for `toBinary` to judge (bytes as number arrays, a oneof case without
 * a value, a list that is no array) make it throw, and the runtime falls
 * back to `create` and `toBinary`.
 */
function emitEncodeInit(
  f: GeneratedFile,
  message: DescMessage,
  line: (...p: Printable[]) => void,
  parts: EncodeParts,
): void {
  const W = f.import("WireType", wire);
  const nested = (desc: DescMessage) => f.importSchema(desc);
  const encodeNestedInit = f.import("encodeNestedInit", protocolPackage);
  const initList = f.import("initList", protocolPackage);
  const initEntries = f.import("initEntries", protocolPackage);
  const { writeScalar, writeMessage, isSetImplicit, mapKeyValue } = parts;
  const requiredMissing = (field: DescField): string =>
    `throw new Error("required field ${field.name} not set");`;
  const as = (s: ScalarInfo, v: string): string => `${v} as ${jsTypeOf(s.scalar)}`;
  const sorted = [...message.fields].sort((a, b) => a.number - b.number);
  // A message without fields writes nothing, whatever the object holds.
  const used = sorted.length > 0 ? "" : "_";
  line(
    "  encodeInit(",
    used,
    "m: ",
    f.import("InitFields", protocolPackage, true),
    ", ",
    used,
    "w: ",
    f.import("CodecWriter", protocolPackage, true),
    "): void {",
  );
  let n = 0;
  for (const field of sorted) {
    const no = field.number;
    const v = `v${n++}`;
    const oneof = field.oneof;
    if (oneof !== undefined) {
      // create() sets the case with the value it finds, even none (toBinary then
      // writes the zero value): left to it.
      line(
        "    const ",
        v,
        " = m.",
        oneof.localName,
        " as ",
        f.import("InitOneof", protocolPackage, true),
        ";",
      );
      line("    if (", v, '?.case === "', field.localName, '") {');
      line("      if (", v, '.value == null) throw new Error("oneof case without a value");');
      if (field.fieldKind === "message") {
        line("      ", ...writeMessage(field, `${v}.value`, encodeNestedInit));
      } else {
        const s = fieldScalar(field);
        line("      ", ...writeScalar(no, s, as(s, `${v}.value`)));
      }
      line("    }");
      continue;
    }
    // A scalar typed as the writer takes it, once known not to be null (the writer checks it).
    const scalarOf =
      field.fieldKind === "scalar" || field.fieldKind === "enum"
        ? fieldScalar(field)
        : isUnwrapped(field)
          ? fieldScalar(field.message!.fields[0]!)
          : undefined;
    const declared =
      scalarOf === undefined ? "" : ` as ${jsTypeOf(scalarOf.scalar)} | null | undefined`;
    line("    const ", v, " = m.", field.localName, declared, ";");
    const missing = field.presence === LEGACY_REQUIRED ? [" else ", requiredMissing(field)] : "";
    switch (field.fieldKind) {
      case "scalar":
      case "enum": {
        const s = fieldScalar(field);
        const typed = v;
        const set =
          field.presence !== IMPLICIT
            ? `${v} != null`
            : field.fieldKind === "enum"
              ? `${v} != null && ${v} !== ${field.enum.values[0]!.number}`
              : `${v} != null && ${isSetImplicit(s, typed)}`;
        line("    if (", set, ") ", ...writeScalar(no, s, typed), missing);
        break;
      }
      case "message":
        if (isUnwrapped(field)) {
          const s = fieldScalar(field.message.fields[0]!);
          const typed = v;
          line("    if (", v, " != null) {");
          line("      w.tag(", no, ", ", W, ".LengthDelimited).fork();");
          line("      if (", isSetImplicit(s, typed), ") ", ...writeScalar(1, s, typed));
          line("      w.join();");
          line("    }", missing);
          break;
        }
        line("    if (", v, " != null) {");
        line("      ", ...writeMessage(field, v, encodeNestedInit));
        line("    }", missing);
        break;
      case "list":
        line("    if (", v, " != null) {");
        if (field.listKind === "message") {
          line("      for (const x of ", initList, "(", v, ")) {");
          line("        ", ...writeMessage(field, "x", encodeNestedInit));
          line("      }");
        } else {
          const s = fieldScalar(field);
          if (field.packed) {
            line("      const a = ", initList, "(", v, ");");
            line("      if (a.length > 0) {");
            line("        w.tag(", no, ", ", W, ".LengthDelimited).fork();");
            line("        for (const x of a) w.", scalarMethod(s.scalar), "(", as(s, "x"), ");");
            line("        w.join();");
            line("      }");
          } else {
            line(
              "      for (const x of ",
              initList,
              "(",
              v,
              ")) ",
              ...writeScalar(no, s, as(s, "x")),
            );
          }
        }
        line("    }");
        break;
      case "map": {
        const k = mapKeyInfo(field);
        line("    if (", v, " != null) {");
        line("      for (const [k, x] of ", initEntries, "(", v, ")) {");
        line("        w.tag(", no, ", ", W, ".LengthDelimited).fork();");
        line("        ", ...writeScalar(1, k, mapKeyValue(k)));
        if (field.mapKind === "message") {
          line("        w.tag(2, ", W, ".LengthDelimited).fork();");
          line("        ", encodeNestedInit, "(", nested(field.message), ", x, w);");
          line("        w.join();");
        } else {
          const s = fieldScalar(field);
          line("        ", ...writeScalar(2, s, as(s, "x")));
        }
        line("        w.join();");
        line("      }");
        line("    }");
        break;
      }
    }
  }
  line("  },");
}

/** The TypeScript type a writer method of `scalar` takes. */
function jsTypeOf(scalar: ScalarType): string {
  switch (scalar) {
    case ScalarType.STRING:
      return "string";
    case ScalarType.BOOL:
      return "boolean";
    case ScalarType.BYTES:
      return "Uint8Array";
    default:
      return longTypes.has(scalar) ? "bigint | string" : "number";
  }
}
