/** Upper bounds (ms) of the default latency buckets: NATS round trips are sub-millisecond. */
export const defaultLatencyBucketsMs: readonly number[] = [
  0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000,
];

/** A histogram as data: `counts[i]` calls took at most `boundsMs[i]`; the last count is above all bounds. */
export interface HistogramSnapshot {
  readonly boundsMs: readonly number[];
  readonly counts: readonly number[];
  readonly count: number;
  readonly sumMs: number;
}

/**
 * Latencies in fixed buckets (Prometheus-style, not cumulative): constant
 * memory and an O(buckets) record, whatever the traffic.
 */
export class LatencyHistogram {
  readonly boundsMs: readonly number[];
  private readonly counts: number[];
  private total = 0;
  private sum = 0;

  constructor(boundsMs: readonly number[] = defaultLatencyBucketsMs) {
    for (let i = 1; i < boundsMs.length; i++) {
      if (!((boundsMs[i] as number) > (boundsMs[i - 1] as number))) {
        throw new RangeError("latency buckets must be strictly increasing");
      }
    }
    this.boundsMs = boundsMs;
    this.counts = new Array<number>(boundsMs.length + 1).fill(0);
  }

  record(ms: number): void {
    const bounds = this.boundsMs;
    let i = 0;
    while (i < bounds.length && ms > (bounds[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.total++;
    this.sum += ms;
  }

  /**
   * The bucket bound below which a fraction `q` of the calls fell (an upper
   * estimate); `Infinity` when it lies above the last bound, NaN when empty.
   */
  quantile(q: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i] as number;
      if (seen >= rank) return this.boundsMs[i] ?? Infinity;
    }
    return Infinity;
  }

  snapshot(): HistogramSnapshot {
    return {
      boundsMs: this.boundsMs,
      counts: [...this.counts],
      count: this.total,
      sumMs: this.sum,
    };
  }
}
