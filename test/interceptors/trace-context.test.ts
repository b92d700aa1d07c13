import { describe, expect, it } from "vitest";
import {
  createGreeterClient,
  defineGreeter,
} from "../../generated/example/greeter/v1/greeter_nats.js";
import {
  currentTraceContext,
  traceContextInterceptor,
  withTraceContext,
} from "../../runtime/interceptors/trace-context-interceptor.js";
import {
  formatTraceparent,
  parseTraceparent,
  type TraceContext,
} from "../../runtime/interceptors/traceparent.js";
import type { HandlerContext } from "../../runtime/server/handler-context.js";
import { serve } from "../../runtime/server/serve.js";
import { natsSuite } from "../support/nats-suite.js";
import { greeter } from "./support/greeter.js";
import { threeHops } from "./support/three-hops.js";

describe("traceparent", () => {
  it("parses and formats version 00", () => {
    const value = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const ctx = parseTraceparent(value);
    expect(ctx).toEqual({
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      flags: 1,
    });
    expect(formatTraceparent(ctx!)).toBe(value);
  });

  it("ignores invalid values and reads later versions by their 00 prefix", () => {
    for (const bad of [
      undefined,
      "",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
    ]) {
      expect(parseTraceparent(bad)).toBeUndefined();
    }
    expect(
      parseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-future"),
    ).toMatchObject({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", flags: 0 });
  });
});

describe("trace context propagation without OpenTelemetry", () => {
  const suite = natsSuite();

  it("a trace id started by A crosses two hops: A → B → C", async () => {
    const seen: { hop: string; header: string | undefined; current: TraceContext | undefined }[] =
      [];
    const probe = (hop: string) => (ctx: HandlerContext) => {
      seen.push({ hop, header: ctx.requestHeader.traceparent, current: currentTraceContext() });
    };
    const a = await threeHops(suite, [traceContextInterceptor()], {
      atB: probe("b"),
      atC: probe("c"),
    });
    expect((await a.sayHello({ name: "x" })).message).toBe("C greets x");

    const b = seen.find((s) => s.hop === "b")!;
    const c = seen.find((s) => s.hop === "c")!;
    const fromA = parseTraceparent(b.header)!;
    const fromB = parseTraceparent(c.header)!;
    expect(fromA.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(fromB.traceId).toBe(fromA.traceId);
    expect(fromB.spanId).not.toBe(fromA.spanId);
    expect(fromA.flags).toBe(1);
    expect(b.current?.traceId).toBe(fromA.traceId);
    expect(c.current?.traceId).toBe(fromA.traceId);
    // Each call starts its own trace at A.
    seen.length = 0;
    await a.sayHello({ name: "y" });
    expect(parseTraceparent(seen[0]?.header)?.traceId).not.toBe(fromA.traceId);
  });

  it("continues the caller's trace and tracestate, and leaves a caller's own traceparent alone", async () => {
    const [rt] = suite.scope(suite.conn);
    const headers: Record<string, string | undefined>[] = [];
    suite.servers.push(
      await serve(rt!, [
        defineGreeter(
          greeter((req, ctx) => {
            headers.push({ ...ctx.requestHeader });
            return { message: req.name };
          }),
        ),
      ]),
    );
    const client = createGreeterClient(rt!, {
      interceptors: [traceContextInterceptor({ startTraces: false })],
    });
    await client.sayHello({ name: "none" });
    expect(headers[0]?.traceparent).toBeUndefined();
    const parent: TraceContext = {
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      flags: 0,
      traceState: "vendor=1",
    };
    await withTraceContext(parent, () => client.sayHello({ name: "within" }));
    expect(parseTraceparent(headers[1]?.traceparent)).toMatchObject({
      traceId: parent.traceId,
      flags: 0,
    });
    expect(headers[1]?.tracestate).toBe("vendor=1");
    const own = "00-11111111111111111111111111111111-2222222222222222-01";
    await withTraceContext(parent, () =>
      client.sayHello({ name: "own" }, { headers: { traceparent: own } }),
    );
    expect(headers[2]?.traceparent).toBe(own);
  });
});
