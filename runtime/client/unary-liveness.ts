import type { ClientOptions } from "./client-options.js";

/**
 * How a client checks that the server of a long unary call is still there:
 * after `intervalMs` without a sign of life it sends a `ping` probe, and it
 * gives the server up after `maxProbes` probes in a row went unanswered.
 */
export interface UnaryLiveness {
  readonly intervalMs: number;
  readonly maxProbes: number;
}

/**
 * Default probe interval. Short, so that a call to a node that died (its
 * process killed, its connection failing over) fails over within about a
 * second instead of waiting for its deadline; calls that end sooner, the
 * common case, send nothing.
 */
export const defaultLivenessMs = 300;
/** The deadline wheel's resolution: probing more often is meaningless. */
const minIntervalMs = 10;

/**
 * The liveness settings of a client's unary calls, or undefined when probing
 * is off (`livenessMs: 0`, or an infinite interval).
 */
export function unaryLiveness(options: ClientOptions): UnaryLiveness | undefined {
  const interval = options.livenessMs ?? defaultLivenessMs;
  if (!(interval > 0) || !Number.isFinite(interval)) return undefined;
  return {
    intervalMs: Math.max(minIntervalMs, interval),
    maxProbes: Math.max(1, options.missedHeartbeats ?? 3),
  };
}
