import type { DescService } from "@bufbuild/protobuf";
import type { ServiceOptions } from "../../generated/protonats/v1/options_pb.js";
import { type Diagnostic, diagnostic } from "../model/diagnostic.js";
import { literalTokenProblem, reservedPrefixProblem } from "./subject-syntax.js";

// Field numbers in protonats.v1.ServiceOptions, to point errors at the field.
const field = { subjectPrefix: 1, version: 2 } as const;

// Semantic versioning 2.0.0, which the NATS micro protocol requires of `version`.
const semver =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** Problems with the `(protonats.v1.service)` option of `svc`. */
export function validateService(svc: DescService, options: ServiceOptions): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const report = (text: string, at: number) => problems.push(diagnostic(svc, text, at));
  const prefix = options.subjectPrefix;
  if (prefix.length > 0) {
    const reserved = reservedPrefixProblem(prefix);
    if (reserved !== undefined)
      report(`subject_prefix "${prefix}": ${reserved}`, field.subjectPrefix);
    for (const token of prefix.split(".")) {
      const problem = literalTokenProblem(token);
      if (problem !== undefined)
        report(`subject_prefix "${prefix}" ${problem}`, field.subjectPrefix);
    }
  }
  if (options.version.length > 0 && !semver.test(options.version)) {
    report(
      `version "${options.version}" is not a semantic version (e.g. "1.2.0"), which NATS micro requires`,
      field.version,
    );
  }
  return problems;
}
