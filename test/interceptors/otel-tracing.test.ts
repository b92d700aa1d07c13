import * as api from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createGreeterClient,
  defineGreeter,
} from "../../generated/example/greeter/v1/greeter_nats.js";
import { Code } from "../../runtime/errors/code.js";
import { otelInterceptor } from "../../runtime/interceptors/otel-interceptor.js";
import { parseTraceparent } from "../../runtime/interceptors/traceparent.js";
import { serve } from "../../runtime/server/serve.js";
import { collect, expectCode } from "../rpc/support/nats.js";
import { natsSuite } from "../support/nats-suite.js";
import { greeter } from "./support/greeter.js";
import { threeHops } from "./support/three-hops.js";

describe("OpenTelemetry tracing interceptor", () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer("protonats-test");
  // The API module as users pass it; the tracer comes from the test's provider.
  const tracing = otelInterceptor({ api, tracer });
  const contextManager = new AsyncLocalStorageContextManager();

  beforeAll(() => {
    api.context.setGlobalContextManager(contextManager.enable());
    api.propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  });
  afterAll(async () => {
    await provider.shutdown();
    api.context.disable();
    api.propagation.disable();
  });
  // After hooks run in reverse order: the suite's servers stop before tracing is torn down.
  const suite = natsSuite();

  const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

  it("one trace across A → B → C: client and server spans chained through traceparent", async () => {
    let traceparentAtC: string | undefined;
    const a = await threeHops(suite, [tracing], {
      atC: (ctx) => {
        traceparentAtC = ctx.requestHeader.traceparent;
      },
    });
    exporter.reset();
    const rootIds = await tracer.startActiveSpan("request", async (root) => {
      const res = await a.sayHello({ name: "x" });
      expect(res.message).toBe("C greets x");
      root.end();
      return root.spanContext();
    });

    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(5);
    for (const s of spans) expect(s.spanContext().traceId).toBe(rootIds.traceId);
    // The chain: root → A's client span → B's server span → B's client span → C's server span.
    const childOf = (kind: api.SpanKind, parentId: string) => {
      const child = spans.find((s) => s.kind === kind && parentOf(s) === parentId);
      expect(child?.name).toBe("example.greeter.v1.Greeter/SayHello");
      return child!;
    };
    const aClient = childOf(api.SpanKind.CLIENT, rootIds.spanId);
    const bServer = childOf(api.SpanKind.SERVER, aClient.spanContext().spanId);
    const bClient = childOf(api.SpanKind.CLIENT, bServer.spanContext().spanId);
    const cServer = childOf(api.SpanKind.SERVER, bClient.spanContext().spanId);
    // What travelled to C is W3C traceparent naming B's client span.
    expect(parseTraceparent(traceparentAtC)).toMatchObject({
      traceId: rootIds.traceId,
      spanId: bClient.spanContext().spanId,
      flags: 1,
    });
    expect(cServer.attributes).toMatchObject({
      "rpc.system": "protonats",
      "rpc.service": "example.greeter.v1.Greeter",
      "rpc.method": "SayHello",
      "rpc.protonats.status_code": 0,
    });
  });

  it("marks failed calls with the error status and code on both sides; streams end their span", async () => {
    const [rt] = suite.scope(suite.conn);
    suite.servers.push(await serve(rt!, [defineGreeter(greeter())], { interceptors: [tracing] }));
    const client = createGreeterClient(rt!, { interceptors: [tracing] });
    exporter.reset();
    await expectCode(client.sayHello({ name: "" }), Code.InvalidArgument);
    const failed = exporter.getFinishedSpans();
    expect(failed.map((s) => s.kind).sort()).toEqual(
      [api.SpanKind.SERVER, api.SpanKind.CLIENT].sort(),
    );
    for (const s of failed) {
      expect(s.status).toEqual({ code: api.SpanStatusCode.ERROR, message: "name is required" });
      expect(s.attributes["rpc.protonats.status_code"]).toBe(Code.InvalidArgument);
    }
    // Without an active span, the client span is a root and the server span its child.
    const client0 = failed.find((s) => s.kind === api.SpanKind.CLIENT)!;
    expect(parentOf(client0)).toBeUndefined();
    exporter.reset();
    expect(await collect(client.sayHelloStream({ name: "s", count: 3 }))).toHaveLength(3);
    const streamed = exporter.getFinishedSpans();
    expect(streamed.map((s) => s.name)).toEqual([
      "example.greeter.v1.Greeter/SayHelloStream",
      "example.greeter.v1.Greeter/SayHelloStream",
    ]);
    expect(streamed.every((s) => s.status.code === api.SpanStatusCode.UNSET)).toBe(true);
  });
});
