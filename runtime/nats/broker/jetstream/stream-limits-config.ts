import type { StreamConfig } from "@nats-io/jetstream";
import { nanos } from "@nats-io/nats-core";
import type { StreamLimits } from "../../../broker/stream-limits.js";

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
