import { AsyncLocalStorage } from "node:async_hooks";
import type { Interceptor } from "../interceptor.js";
import {
  formatTraceparent,
  parseTraceparent,
  randomSpanId,
  randomTraceId,
  type TraceContext,
  traceparentHeader,
  tracestateHeader,
} from "./traceparent.js";

const active = new AsyncLocalStorage<TraceContext>();

/** The trace context of the call being served, inside a handler (and what it awaits). */
export function currentTraceContext(): TraceContext | undefined {
  return active.getStore();
}

/** Runs `fn` with `context` as the current trace context, e.g. from a message consumer. */
export function withTraceContext<T>(context: TraceContext, fn: () => T): T {
  return active.run(context, fn);
}

/** Options of {@link traceContextInterceptor}. */
export interface TraceContextOptions {
  /** A client call outside any trace starts a new one. Default true. */
  startTraces?: boolean;
  /** The sampled flag of traces started here. Default true. */
  sampled?: boolean;
}

/**
 * W3C Trace Context propagation without OpenTelemetry, for log correlation
 * or to carry traces through services that do not record spans. On a server
 * it reads `traceparent` / `tracestate` and makes them current for the
 * handler ({@link currentTraceContext}); on a client it sends the current
 * trace on with a fresh span id per call (or starts a trace). Headers the
 * caller set itself are left alone. Use the same interceptor on both sides.
 */
export function traceContextInterceptor(options: TraceContextOptions = {}): Interceptor {
  const startTraces = options.startTraces !== false;
  const newFlags = options.sampled === false ? 0 : 1;
  return (next) => (req) => {
    const header = req.header;
    if (req.context !== undefined) {
      const incoming = parseTraceparent(header[traceparentHeader]);
      if (incoming === undefined) return next(req);
      const state = header[tracestateHeader];
      const served: TraceContext = {
        traceId: incoming.traceId,
        spanId: randomSpanId(),
        flags: incoming.flags,
        ...(state !== undefined && { traceState: state }),
      };
      return active.run(served, () => next(req));
    }
    if (header[traceparentHeader] !== undefined) return next(req);
    const current = active.getStore();
    if (current === undefined && !startTraces) return next(req);
    header[traceparentHeader] = formatTraceparent({
      traceId: current?.traceId ?? randomTraceId(),
      spanId: randomSpanId(),
      flags: current?.flags ?? newFlags,
    });
    if (current?.traceState !== undefined) header[tracestateHeader] = current.traceState;
    return next(req);
  };
}
