import { quantile } from "./stats.js";

export interface LoopResult {
  callsPerSecond: number;
  /** Latency quantiles in microseconds. */
  p50Us: number;
  p99Us: number;
  calls: number;
}

/**
 * Runs `call` with `concurrency` calls always in flight for `durationMs`, and
 * reports throughput and latency. Latency samples go into a preallocated
 * typed array so the measurement itself allocates almost nothing.
 */
export async function closedLoop(
  call: () => Promise<unknown>,
  concurrency: number,
  durationMs: number,
): Promise<LoopResult> {
  const samples = new Float64Array(2_000_000);
  let count = 0;
  const started = performance.now();
  const until = started + durationMs;
  const worker = async () => {
    while (performance.now() < until) {
      const t0 = performance.now();
      await call();
      const t1 = performance.now();
      if (count < samples.length) samples[count] = (t1 - t0) * 1000;
      count++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - started;
  const sorted = samples.subarray(0, Math.min(count, samples.length)).sort();
  return {
    callsPerSecond: (count / elapsed) * 1000,
    p50Us: quantile(sorted, 0.5),
    p99Us: quantile(sorted, 0.99),
    calls: count,
  };
}
