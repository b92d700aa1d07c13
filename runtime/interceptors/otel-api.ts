/**
 * The part of `@opentelemetry/api` the tracing interceptor uses, as
 * structural types: pass the real module (`import * as api from
 * "@opentelemetry/api"`); protonats itself never imports it, so it stays an
 * optional peer dependency.
 */
export interface OtelApi {
  readonly trace: {
    getTracer(name: string, version?: string): OtelTracer;
    setSpan(context: OtelContext, span: OtelSpan): OtelContext;
  };
  readonly context: {
    active(): OtelContext;
    with<T>(context: OtelContext, fn: () => T): T;
  };
  readonly propagation: {
    inject(context: OtelContext, carrier: Record<string, string>): void;
    extract(context: OtelContext, carrier: Record<string, string>): OtelContext;
  };
  readonly ROOT_CONTEXT: OtelContext;
  readonly SpanKind: { readonly SERVER: number; readonly CLIENT: number };
  readonly SpanStatusCode: { readonly ERROR: number };
}

export interface OtelContext {
  getValue(key: symbol): unknown;
}

export interface OtelSpanContext {
  readonly traceId: string;
  readonly spanId: string;
}

export interface OtelSpan {
  setAttribute(key: string, value: string | number | boolean): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  spanContext(): OtelSpanContext;
  end(): void;
}

export interface OtelTracer {
  startSpan(
    name: string,
    options?: { kind?: number; attributes?: Record<string, string | number | boolean> },
    context?: OtelContext,
  ): OtelSpan;
}
