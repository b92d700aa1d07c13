import { type DescMessage, ScalarType } from "@bufbuild/protobuf";
import type { EventOptions } from "../../generated/protonats/v1/options_pb.js";
import { canFillToken, readSubjectToken } from "../../runtime/events/subject-token.js";
import { type Diagnostic, diagnostic } from "../model/diagnostic.js";
import { literalTokenProblem, nameProblem, reservedPrefixProblem } from "./subject-syntax.js";

// Field numbers in protonats.v1.EventOptions, to point errors at the field.
const field = {
  subject: 1,
  queue: 2,
  durable: 3,
  stream: 4,
  streamMaxAgeSeconds: 5,
  streamMaxMegabytes: 6,
} as const;

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
  if (!options.durable) {
    if (options.streamMaxAgeSeconds > 0) {
      report(
        "stream_max_age_seconds is set but durable is not: only durable events are stored in a stream",
        field.streamMaxAgeSeconds,
      );
    }
    if (options.streamMaxMegabytes > 0) {
      report(
        "stream_max_megabytes is set but durable is not: only durable events are stored in a stream",
        field.streamMaxMegabytes,
      );
    }
  }
  return problems;
}

// The runtime's reading of a token, so both accept the same templates; the
// messages here are longer because they point at a line of a .proto.
function tokenProblem(message: DescMessage, text: string): string | undefined {
  const token = readSubjectToken(message, text);
  switch (token.kind) {
    case "literal":
      return literalTokenProblem(text);
    case "stray-brace":
      return `token "${text}": a {field} placeholder must fill a whole token, e.g. "orders.{region}.placed"`;
    case "unknown-field": {
      const usable = message.fields.filter(canFillToken);
      const hint =
        usable.length > 0
          ? `; fields that can fill a token: ${usable.map((f) => f.name).join(", ")}`
          : "";
      return `token {${token.name}} names no field of ${message.name}${hint}`;
    }
    case "field": {
      const { name, field } = token;
      if (canFillToken(field)) return undefined;
      return field.fieldKind === "scalar"
        ? `token {${name}}: field ${name} is ${ScalarType[field.scalar].toLowerCase()}, which cannot form a subject token (use a string, integer, bool or enum field)`
        : `token {${name}}: field ${name} is a ${field.fieldKind} field; only a single string, integer, bool or enum field can fill a token`;
    }
  }
}
