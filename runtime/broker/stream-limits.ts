import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";

/**
 * How much a JetStream stream that protonats creates keeps: the oldest
 * messages are discarded past either limit. `0` means no limit.
 */
export interface StreamLimits {
  /** Messages older than this are discarded. Default 7 days. */
  maxAgeMs?: number;
  /** Past this many bytes the oldest messages are discarded. Default 1 GiB. */
  maxBytes?: number;
}

/** What a stream keeps unless told otherwise: a week, and at most 1 GiB. */
export const defaultStreamLimits: Readonly<Required<StreamLimits>> = Object.freeze({
  maxAgeMs: 7 * 24 * 60 * 60_000,
  maxBytes: 1024 * 1024 * 1024,
});

/** The limits with defaults filled in; `InvalidArgument` for a negative or fractional one. */
export function resolveStreamLimits(limits: StreamLimits | undefined): Required<StreamLimits> {
  const resolved = { ...defaultStreamLimits, ...definedOnly(limits) };
  for (const [key, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RpcError(
        Code.InvalidArgument,
        `stream limit ${key} must be a non-negative integer (0: no limit), got ${value}`,
      );
    }
  }
  return resolved;
}

function definedOnly(limits: StreamLimits | undefined): StreamLimits {
  const out: StreamLimits = {};
  if (limits?.maxAgeMs !== undefined) out.maxAgeMs = limits.maxAgeMs;
  if (limits?.maxBytes !== undefined) out.maxBytes = limits.maxBytes;
  return out;
}
