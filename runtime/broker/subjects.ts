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
  return checkTokens(subject, true);
}

/** A subject one can publish on: well formed and without wildcards. */
export function isConcreteSubject(subject: string): boolean {
  return checkTokens(subject, false);
}

// One pass over the characters, no allocation: this runs on every publish.
function checkTokens(subject: string, wildcards: boolean): boolean {
  const n = subject.length;
  if (n === 0) return false;
  let tokenStart = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? subject.charCodeAt(i) : 46; // a virtual "." closes the last token
    if (c === 46) {
      const length = i - tokenStart;
      if (length === 0) return false;
      const first = subject.charCodeAt(tokenStart);
      if (first === 42 || first === 62) {
        // "*" or ">" must be the whole token; ">" only last.
        if (!wildcards || length !== 1 || (first === 62 && i !== n)) return false;
      }
      tokenStart = i + 1;
    } else if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11) {
      return false;
    } else if ((c === 42 || c === 62) && i !== tokenStart) {
      return false;
    }
  }
  return true;
}

/** Prefixes a subject with the namespace, if any. */
export function withNamespace(namespace: string | undefined, subject: string): string {
  return namespace ? `${namespace}.${subject}` : subject;
}

/** Removes the namespace prefix that {@link withNamespace} added. */
export function withoutNamespace(namespace: string | undefined, subject: string): string {
  if (!namespace) return subject;
  const n = namespace.length;
  return subject.charCodeAt(n) === 46 && subject.startsWith(namespace)
    ? subject.slice(n + 1)
    : subject;
}
