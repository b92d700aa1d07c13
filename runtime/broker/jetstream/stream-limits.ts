import type { StreamConfig } from "@nats-io/jetstream";
import { nanos } from "@nats-io/nats-core";
import { Code } from "../../errors/code.js";
import { RpcError } from "../../errors/rpc-error.js";

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

/** The stream configuration fields for `limits` (JetStream: 0 age and -1 bytes are unlimited). */
export function limitsConfig(limits: Required<StreamLimits>): Partial<StreamConfig> {
  return {
    max_age: nanos(limits.maxAgeMs),
    max_bytes: limits.maxBytes === 0 ? -1 : limits.maxBytes,
  };
}

/**
 * How an existing stream's limits differ from `limits`, or undefined when
 * they match. Read from its configuration as the server reports it.
 */
export function limitsMismatch(
  config: Pick<StreamConfig, "max_age" | "max_bytes">,
  limits: Required<StreamLimits>,
): string | undefined {
  const ageMs = Math.round((config.max_age ?? 0) / 1_000_000);
  const bytes = config.max_bytes === undefined || config.max_bytes < 0 ? 0 : config.max_bytes;
  const diffs: string[] = [];
  if (ageMs !== limits.maxAgeMs)
    diffs.push(`max age ${show(ageMs)} ms, expected ${show(limits.maxAgeMs)} ms`);
  if (bytes !== limits.maxBytes)
    diffs.push(`max bytes ${show(bytes)}, expected ${show(limits.maxBytes)}`);
  return diffs.length === 0 ? undefined : diffs.join("; ");
}

function show(n: number): string {
  return n === 0 ? "unlimited" : String(n);
}
