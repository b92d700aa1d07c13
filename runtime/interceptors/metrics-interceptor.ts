import type { Interceptor } from "../interceptor.js";
import type { CallMetrics } from "../metrics/call-metrics.js";
import { observeCallEnd } from "./call-end.js";

/**
 * Times every call into `metrics` (count, errors by code, latency), on a
 * client or a server. Servers can pass the same `CallMetrics` as an observer
 * instead, which also counts calls refused before any interceptor ran.
 */
export function metricsInterceptor(metrics: CallMetrics): Interceptor {
  return (next) => async (req) => {
    const started = performance.now();
    return observeCallEnd(next, req, (error) => {
      metrics.record(
        req.service.typeName,
        req.method.name,
        error?.code,
        performance.now() - started,
      );
    });
  };
}
