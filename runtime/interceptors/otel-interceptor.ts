import type { Message } from "@bufbuild/protobuf";
import type { Interceptor } from "../interceptor.js";
import { observeCallEnd } from "./call-end.js";
import type { OtelApi, OtelContext, OtelTracer } from "./otel-api.js";

/** Options of {@link otelInterceptor}. */
export interface OtelOptions {
  /** The OpenTelemetry API module: `import * as api from "@opentelemetry/api"`. */
  api: OtelApi;
  /** Tracer to record spans with. Default: `api.trace.getTracer("protonats")`. */
  tracer?: OtelTracer;
}

/**
 * OpenTelemetry tracing for clients and servers, following the RPC semantic
 * conventions (span `package.Service/Method`, `rpc.system`, `rpc.service`,
 * `rpc.method`, status code attribute). A client call starts a CLIENT span
 * child of the active context and injects it into the request headers with
 * the configured propagator (W3C `traceparent` / `tracestate` in the usual
 * SDK setup); a server extracts it and runs the handler in a SERVER span, so
 * calls the handler makes continue the trace. Register it on both sides.
 */
export function otelInterceptor(options: OtelOptions): Interceptor {
  const { api } = options;
  const tracer = options.tracer ?? api.trace.getTracer("protonats");
  return (next) => async (req) => {
    const server = req.context !== undefined;
    const parent = server
      ? api.propagation.extract(api.ROOT_CONTEXT, req.header)
      : api.context.active();
    const span = tracer.startSpan(
      `${req.service.typeName}/${req.method.name}`,
      {
        kind: server ? api.SpanKind.SERVER : api.SpanKind.CLIENT,
        attributes: {
          "rpc.system": "protonats",
          "rpc.service": req.service.typeName,
          "rpc.method": req.method.name,
        },
      },
      parent,
    );
    const context = api.trace.setSpan(parent, span);
    if (!server) api.propagation.inject(context, req.header);
    const res = await api.context.with(context, () =>
      observeCallEnd(next, req, (error) => {
        span.setAttribute("rpc.protonats.status_code", error?.code ?? 0);
        if (error !== undefined) {
          span.setStatus({ code: api.SpanStatusCode.ERROR, message: error.rawMessage });
        }
        span.end();
      }),
    );
    // A server stream's handler runs as the server pulls its messages, outside
    // this call: keep the span current there too.
    if (server && res.stream) res.messages = bound(api, context, res.messages);
    return res;
  };
}

function bound(
  api: OtelApi,
  context: OtelContext,
  messages: AsyncIterable<Message>,
): AsyncIterable<Message> {
  return {
    [Symbol.asyncIterator]() {
      const inner = messages[Symbol.asyncIterator]();
      return {
        next: () => api.context.with(context, () => inner.next()),
        return: (value?: unknown) =>
          api.context.with(context, () =>
            inner.return ? inner.return(value) : Promise.resolve({ done: true, value: undefined }),
          ),
      };
    },
  };
}
