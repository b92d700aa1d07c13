/**
 * NATS subject rules shared by the NATS and in-memory brokers: tokens are
 * separated by `.`, `*` matches one token, `>` matches one or more trailing
 * tokens.
 */

/** True when `subject` (a concrete subject) matches `pattern` (which may hold wildcards). */
export function subjectMatches(pattern: string, subject: string): boolean {
  return covers(pattern.split("."), subject.split("."));
}

/**
 * True when every subject matched by `narrow` is also matched by `wide`, e.g.
 * `orders.>` covers `orders.*.shipped`. Used to tell whether a stream already
 * stores an event's subjects.
 */
export function subjectCovers(wide: string, narrow: string): boolean {
  return covers(wide.split("."), narrow.split("."));
}

function covers(wide: string[], narrow: string[]): boolean {
  for (let i = 0; i < wide.length; i++) {
    const w = wide[i];
    const n = narrow[i];
    if (w === ">") return i < narrow.length;
    if (n === undefined || n === ">") return false;
    if (w === "*") continue;
    if (w !== n) return false;
  }
  return wide.length === narrow.length;
}

/** A subject is well formed when no token is empty and wildcards stand alone (`>` last). */
export function isValidSubject(subject: string): boolean {
  if (subject.length === 0 || /\s/.test(subject)) return false;
  const tokens = subject.split(".");
  return tokens.every((t, i) => {
    if (t.length === 0) return false;
    if (t === ">") return i === tokens.length - 1;
    return t === "*" || (!t.includes("*") && !t.includes(">"));
  });
}

/** Prefixes a subject with the namespace, if any. */
export function withNamespace(namespace: string | undefined, subject: string): string {
  return namespace ? `${namespace}.${subject}` : subject;
}

/** Removes the namespace prefix that {@link withNamespace} added. */
export function withoutNamespace(namespace: string | undefined, subject: string): string {
  return namespace && subject.startsWith(`${namespace}.`)
    ? subject.slice(namespace.length + 1)
    : subject;
}

/** A subject one can publish on: well formed and without wildcards. */
export function isConcreteSubject(subject: string): boolean {
  return isValidSubject(subject) && !/(^|\.)[*>](\.|$)/.test(subject);
}
