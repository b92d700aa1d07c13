/**
 * NATS subject rules as they apply to names fixed in a .proto: published
 * subjects may not contain wildcards, and no token may be empty or contain
 * white space (the server would split or reject it).
 */

// White space separates the fields of a NATS protocol line; control
// characters cannot be typed back by any tool.
const forbiddenCharacter = {
  test: (text: string): boolean =>
    /\s/u.test(text) || [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f),
};

/** Why `token` cannot be a literal subject token, or undefined if it can. */
export function literalTokenProblem(token: string): string | undefined {
  if (token.length === 0) return "has an empty token (leading, trailing or doubled '.')";
  if (forbiddenCharacter.test(token))
    return `token "${token}" contains white space or a control character`;
  if (token.includes("*") || token.includes(">")) {
    return `token "${token}" contains a wildcard ('*' or '>'), which a published subject cannot`;
  }
  return undefined;
}

/**
 * Why `subject` cannot start a subject protonats publishes to, or undefined.
 * `$` subjects belong to NATS itself ($SRV, $JS) and `pn.` to protonats.
 */
export function reservedPrefixProblem(subject: string): string | undefined {
  if (subject.startsWith("$")) return "subjects starting with '$' are reserved by NATS";
  if (subject === "pn" || subject.startsWith("pn."))
    return "subjects starting with 'pn.' are reserved by protonats";
  return undefined;
}

/** Why `name` cannot be a queue group or JetStream stream name, or undefined. */
export function nameProblem(name: string, allowDots: boolean): string | undefined {
  if (forbiddenCharacter.test(name)) return "contains white space or a control character";
  if (name.includes("*") || name.includes(">")) return "contains a wildcard ('*' or '>')";
  if (!allowDots && /[./\\]/.test(name)) return "contains '.', '/' or '\\'";
  return undefined;
}
