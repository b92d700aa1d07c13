/**
 * Errors known to have happened before the request reached any server (no
 * responders, connection closed before sending, request too big). Retrying
 * such a call is always safe, even for a method that is not idempotent.
 */
const undelivered = new WeakSet<Error>();

/** Marks an error as raised before the request could reach a server. */
export function markUndelivered<E extends Error>(error: E): E {
  undelivered.add(error);
  return error;
}

/** True when the request certainly never reached a server. */
export function isUndelivered(error: unknown): boolean {
  return error instanceof Error && undelivered.has(error);
}
