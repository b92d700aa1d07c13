import { type Code, codeName } from "../errors/code.js";
import type { CallRecord, ServerObserver } from "../server/observer.js";
import { type HistogramSnapshot, LatencyHistogram } from "./latency-histogram.js";

/** Totals of one method. */
export interface MethodMetrics {
  readonly service: string;
  readonly method: string;
  readonly calls: number;
  readonly errors: number;
  /** Failed calls by Connect code name, e.g. `{ unavailable: 2 }`. */
  readonly errorsByCode: Readonly<Record<string, number>>;
  readonly latency: HistogramSnapshot;
  /** Upper estimates from the histogram buckets, in ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

class MethodTotals {
  calls = 0;
  errors = 0;
  readonly errorsByCode = new Map<Code, number>();
  readonly latency: LatencyHistogram;

  constructor(
    readonly service: string,
    readonly method: string,
    bucketsMs: readonly number[] | undefined,
  ) {
    this.latency = new LatencyHistogram(bucketsMs);
  }
}

/**
 * In-memory call metrics per method: counts, errors by code and a latency
 * histogram. It is a {@link ServerObserver} (`serve(rt, services, {
 * observers: [metrics] })`) and the sink of the client-side
 * `metricsInterceptor`; read it with `snapshot()` and export it wherever
 * (Prometheus, logs, `$SRV.STATS`).
 */
export class CallMetrics implements ServerObserver {
  private readonly methods = new Map<string, MethodTotals>();

  /** @param bucketsMs upper bounds of the latency buckets, in ms. */
  constructor(private readonly bucketsMs?: readonly number[]) {}

  /** Records one finished call; `code` undefined for a success. */
  record(service: string, method: string, code: Code | undefined, durationMs: number): void {
    const key = `${service}/${method}`;
    let totals = this.methods.get(key);
    if (totals === undefined) {
      totals = new MethodTotals(service, method, this.bucketsMs);
      this.methods.set(key, totals);
    }
    totals.calls++;
    totals.latency.record(durationMs);
    if (code !== undefined) {
      totals.errors++;
      totals.errorsByCode.set(code, (totals.errorsByCode.get(code) ?? 0) + 1);
    }
  }

  callFinished(record: CallRecord): void {
    this.record(record.service, record.method, record.code, record.durationNs / 1e6);
  }

  /** Totals of every method seen, or of one (`service` fully qualified, `method` as in the .proto). */
  snapshot(): MethodMetrics[];
  snapshot(service: string, method: string): MethodMetrics | undefined;
  snapshot(service?: string, method?: string): MethodMetrics[] | MethodMetrics | undefined {
    if (service !== undefined) {
      const totals = this.methods.get(`${service}/${method}`);
      return totals === undefined ? undefined : toMetrics(totals);
    }
    return [...this.methods.values()].map(toMetrics);
  }

  /** Forgets everything recorded. */
  reset(): void {
    this.methods.clear();
  }
}

function toMetrics(t: MethodTotals): MethodMetrics {
  const errorsByCode: Record<string, number> = {};
  for (const [code, n] of t.errorsByCode) errorsByCode[codeName(code)] = n;
  return {
    service: t.service,
    method: t.method,
    calls: t.calls,
    errors: t.errors,
    errorsByCode,
    latency: t.latency.snapshot(),
    p50Ms: t.latency.quantile(0.5),
    p99Ms: t.latency.quantile(0.99),
  };
}
