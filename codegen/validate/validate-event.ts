import { type DescMessage, ScalarType } from "@bufbuild/protobuf";
import type { EventOptions } from "../../generated/protonats/v1/options_pb.js";
import { type Diagnostic, diagnostic } from "../model/diagnostic.js";
import { literalTokenProblem, nameProblem, reservedPrefixProblem } from "./subject-syntax.js";

// Field numbers in protonats.v1.EventOptions, to point errors at the field.
const field = { subject: 1, queue: 2, durable: 3, stream: 4 } as const;
const placeholder = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

// Scalars whose text form is one subject token: no '.', no white space.
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

/** Problems with the `(protonats.v1.event)` option of `message`. */
export function validateEvent(message: DescMessage, options: EventOptions): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const report = (text: string, at: number) => problems.push(diagnostic(message, text, at));
  const subject = options.subject;
  if (subject.length === 0) {
    report("option (protonats.v1.event) needs a subject", field.subject);
  } else {
    const reserved = reservedPrefixProblem(subject);
    if (reserved !== undefined) report(`subject "${subject}": ${reserved}`, field.subject);
    // A Set: "a..b." has two empty tokens but one problem to fix.
    const tokenProblems = new Set(subject.split(".").map((token) => tokenProblem(message, token)));
    for (const problem of tokenProblems) {
      if (problem !== undefined) report(`subject "${subject}": ${problem}`, field.subject);
    }
  }
  if (options.queue.length > 0) {
    const problem = nameProblem(options.queue, true);
    if (problem !== undefined) report(`queue "${options.queue}" ${problem}`, field.queue);
  }
  if (options.stream.length > 0) {
    if (!options.durable) {
      report(
        `stream "${options.stream}" is set but durable is not: only durable events are stored in a stream`,
        field.stream,
      );
    }
    const problem = nameProblem(options.stream, false);
    if (problem !== undefined) report(`stream "${options.stream}" ${problem}`, field.stream);
  }
  return problems;
}

function tokenProblem(message: DescMessage, token: string): string | undefined {
  const match = placeholder.exec(token);
  if (match === null) {
    if (token.includes("{") || token.includes("}")) {
      return `token "${token}": a {field} placeholder must fill a whole token, e.g. "orders.{region}.placed"`;
    }
    return literalTokenProblem(token);
  }
  const name = match[1]!;
  // By proto name or, as the runtime also accepts, by its TypeScript name.
  const target = message.fields.find((f) => f.name === name || f.localName === name);
  if (target === undefined) {
    const usable = message.fields.filter(
      (f) => f.fieldKind === "enum" || (f.fieldKind === "scalar" && tokenScalars.has(f.scalar)),
    );
    const hint =
      usable.length > 0
        ? `; fields that can fill a token: ${usable.map((f) => f.name).join(", ")}`
        : "";
    return `token {${name}} names no field of ${message.name}${hint}`;
  }
  switch (target.fieldKind) {
    case "enum":
      return undefined;
    case "scalar":
      return tokenScalars.has(target.scalar)
        ? undefined
        : `token {${name}}: field ${name} is ${ScalarType[target.scalar].toLowerCase()}, which cannot form a subject token (use a string, integer, bool or enum field)`;
    default:
      return `token {${name}}: field ${name} is a ${target.fieldKind} field; only a single string, integer, bool or enum field can fill a token`;
  }
}
