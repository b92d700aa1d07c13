/**
 * Exponential backoff with "full jitter" (AWS Architecture Blog, "Exponential
 * Backoff And Jitter"): a uniform random delay in [0, min(max, base * 2^(retry-1))).
 * Spreading retries over the whole window keeps clients that failed together
 * from retrying together.
 *
 * @param retry 1 for the first retry.
 * @param random uniform in [0, 1).
 */
export function fullJitterBackoff(
  retry: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}
