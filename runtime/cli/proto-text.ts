import {
  type DescEnum,
  type DescField,
  type DescMessage,
  type DescMethod,
  type DescService,
  getOption,
  hasOption,
  ScalarType,
} from "@bufbuild/protobuf";
import {
  event as eventOption,
  method as methodOption,
  service as serviceOption,
} from "../../generated/protonats/v1/options_pb.js";

/*
 * Renders descriptors back as .proto text, so `describe` shows what a user
 * would have written. Comments are not in the descriptors services carry.
 */

/** A scalar type's name as written in a .proto (`sint64`). */
const scalarNames = (type: ScalarType): string => ScalarType[type].toLowerCase();

/** A type name as written in the .proto: relative within the same package. */
function ref(typeName: string, pkg: string): string {
  return pkg && typeName.startsWith(`${pkg}.`) ? typeName.slice(pkg.length + 1) : typeName;
}

function typeOf(field: DescField): string {
  const pkg = field.parent.file.proto.package;
  switch (field.fieldKind) {
    case "scalar":
      return scalarNames(field.scalar);
    case "enum":
      return ref(field.enum.typeName, pkg);
    case "message":
      return ref(field.message.typeName, pkg);
    case "list":
      return `repeated ${
        field.listKind === "scalar"
          ? scalarNames(field.scalar)
          : field.listKind === "enum"
            ? ref(field.enum.typeName, pkg)
            : ref(field.message.typeName, pkg)
      }`;
    case "map": {
      const value =
        field.mapKind === "scalar"
          ? scalarNames(field.scalar)
          : field.mapKind === "enum"
            ? ref(field.enum.typeName, pkg)
            : ref(field.message.typeName, pkg);
      return `map<${scalarNames(field.mapKey)}, ${value}>`;
    }
  }
}

function fieldLine(field: DescField, indent: string): string {
  const optional = field.proto.proto3Optional ? "optional " : "";
  return `${indent}${optional}${typeOf(field)} ${field.name} = ${field.number};`;
}

/** `(protonats.v1.event)` of a message, as the typed-event options. */
export function eventOptionsOf(message: DescMessage) {
  return hasOption(message, eventOption) ? getOption(message, eventOption) : undefined;
}

/** A message with its oneofs, nested enums and messages, and its event option. */
export function messageText(message: DescMessage, indent = ""): string {
  const inner = `${indent}  `;
  const lines = [`${indent}message ${message.name} {`];
  const event = eventOptionsOf(message);
  if (event) {
    const parts = [`subject: "${event.subject}"`];
    if (event.queue) parts.push(`queue: "${event.queue}"`);
    if (event.durable) parts.push("durable: true");
    if (event.stream) parts.push(`stream: "${event.stream}"`);
    lines.push(`${inner}option (protonats.v1.event) = {${parts.join(", ")}};`);
  }
  for (const nested of message.nestedMessages) {
    if (!nested.proto.options?.mapEntry) lines.push(messageText(nested, inner));
  }
  for (const nested of message.nestedEnums) lines.push(enumText(nested, inner));
  const printedOneofs = new Set<string>();
  for (const member of message.members) {
    if (member.kind === "field") {
      lines.push(fieldLine(member, inner));
      continue;
    }
    if (printedOneofs.has(member.name)) continue;
    printedOneofs.add(member.name);
    lines.push(`${inner}oneof ${member.name} {`);
    for (const f of member.fields) lines.push(fieldLine(f, `${inner}  `));
    lines.push(`${inner}}`);
  }
  lines.push(`${indent}}`);
  return lines.join("\n");
}

export function enumText(desc: DescEnum, indent = ""): string {
  const lines = [`${indent}enum ${desc.name} {`];
  for (const v of desc.values) lines.push(`${indent}  ${v.name} = ${v.number};`);
  lines.push(`${indent}}`);
  return lines.join("\n");
}

/** The options of a method as `key: value` text, e.g. `timeout_ms: 5000, idempotent: true`. */
export function methodOptionsText(method: DescMethod): string {
  const parts: string[] = [];
  if (hasOption(method, methodOption)) {
    const o = getOption(method, methodOption);
    if (o.timeoutMs) parts.push(`timeout_ms: ${o.timeoutMs}`);
    if (o.idempotent) parts.push("idempotent: true");
    if (o.noReply) parts.push("no_reply: true");
  }
  return parts.join(", ");
}

export function methodText(method: DescMethod, indent = ""): string {
  const pkg = method.parent.file.proto.package;
  const clientStream =
    method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming";
  const serverStream =
    method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming";
  const head = `${indent}rpc ${method.name}(${clientStream ? "stream " : ""}${ref(method.input.typeName, pkg)}) returns (${serverStream ? "stream " : ""}${ref(method.output.typeName, pkg)})`;
  const options = methodOptionsText(method);
  const idempotency =
    method.idempotency === 1 ? "NO_SIDE_EFFECTS" : method.idempotency === 2 ? "IDEMPOTENT" : "";
  const body: string[] = [];
  if (options) body.push(`${indent}  option (protonats.v1.method) = {${options}};`);
  if (idempotency) body.push(`${indent}  option idempotency_level = ${idempotency};`);
  return body.length === 0 ? `${head};` : `${head} {\n${body.join("\n")}\n${indent}}`;
}

export function serviceText(service: DescService): string {
  const lines = [
    `// ${service.file.proto.name}`,
    `package ${service.typeName.slice(0, -service.name.length - 1)};`,
    "",
    `service ${service.name} {`,
  ];
  if (hasOption(service, serviceOption)) {
    const o = getOption(service, serviceOption);
    const parts: string[] = [];
    if (o.version) parts.push(`version: "${o.version}"`);
    if (o.subjectPrefix) parts.push(`subject_prefix: "${o.subjectPrefix}"`);
    if (parts.length) lines.push(`  option (protonats.v1.service) = {${parts.join(", ")}};`);
  }
  for (const m of service.methods) lines.push(methodText(m, "  "));
  lines.push("}");
  return lines.join("\n");
}

/**
 * The message and every message and enum it refers to (outside
 * `google.protobuf`), each once, so one `describe` shows the whole shape.
 */
export function messagesText(roots: DescMessage[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  const visit = (m: DescMessage) => {
    if (seen.has(m.typeName) || m.typeName.startsWith("google.protobuf.")) return;
    seen.add(m.typeName);
    out.push(`// ${m.typeName}\n${messageText(m)}`);
    for (const f of m.fields) {
      if (f.message) visit(f.message);
      if (f.enum && !seen.has(f.enum.typeName) && !f.enum.typeName.startsWith("google.")) {
        seen.add(f.enum.typeName);
        out.push(`// ${f.enum.typeName}\n${enumText(f.enum)}`);
      }
    }
  };
  for (const r of roots) visit(r);
  return out.join("\n\n");
}
