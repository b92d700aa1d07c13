import { describe, expect, it } from "vitest";
import {
  createGreeterClient,
  defineGreeter,
} from "../../generated/example/greeter/v1/greeter_nats.js";
import { Code } from "../../runtime/errors/code.js";
import { metricsInterceptor } from "../../runtime/interceptors/metrics-interceptor.js";
import { CallMetrics } from "../../runtime/metrics/call-metrics.js";
import { LatencyHistogram } from "../../runtime/metrics/latency-histogram.js";
import { observeCalls, observeErrors } from "../../runtime/metrics/observers.js";
import type { CallRecord } from "../../runtime/server/observer.js";
import { serve } from "../../runtime/server/serve.js";
import { collect, expectCode } from "../rpc/support/nats.js";
import { natsSuite } from "../support/nats-suite.js";
import { greeter } from "./support/greeter.js";

describe("latency histogram", () => {
  it("counts into fixed buckets and estimates quantiles from their bounds", () => {
    const h = new LatencyHistogram([1, 10, 100]);
    for (const ms of [0.5, 1, 2, 9, 50, 500]) h.record(ms);
    const s = h.snapshot();
    expect(s.counts).toEqual([2, 2, 1, 1]);
    expect(s.count).toBe(6);
    expect(s.sumMs).toBeCloseTo(562.5);
    expect(h.quantile(0.3)).toBe(1);
    expect(h.quantile(0.5)).toBe(10);
    expect(h.quantile(0.8)).toBe(100);
    expect(h.quantile(0.99)).toBe(Infinity);
    expect(new LatencyHistogram().quantile(0.5)).toBeNaN();
    expect(() => new LatencyHistogram([5, 1])).toThrow(RangeError);
  });
});

describe("call metrics", () => {
  const suite = natsSuite();

  it("counts calls, errors by code and latencies on the server (observer) and the client (interceptor)", async () => {
    const [rt] = suite.scope(suite.conn);
    const serverMetrics = new CallMetrics();
    const clientMetrics = new CallMetrics();
    const failures: CallRecord[] = [];
    const all: CallRecord[] = [];
    suite.servers.push(
      await serve(rt!, [defineGreeter(greeter())], {
        observers: [
          serverMetrics,
          observeErrors((r) => failures.push(r)),
          observeCalls((r) => all.push(r)),
        ],
      }),
    );
    const client = createGreeterClient(rt!, { interceptors: [metricsInterceptor(clientMetrics)] });
    for (let i = 0; i < 7; i++) await client.sayHello({ name: `n${i}` });
    for (let i = 0; i < 3; i++)
      await expectCode(client.sayHello({ name: "" }), Code.InvalidArgument);
    await collect(client.sayHelloStream({ name: "s", count: 2 }));

    for (const metrics of [serverMetrics, clientMetrics]) {
      const hello = metrics.snapshot("example.greeter.v1.Greeter", "SayHello");
      expect(hello).toMatchObject({ calls: 10, errors: 3, errorsByCode: { invalid_argument: 3 } });
      expect(hello?.latency.count).toBe(10);
      expect(hello?.latency.counts.reduce((a, b) => a + b, 0)).toBe(10);
      expect(hello?.p50Ms).toBeGreaterThan(0);
      expect(hello?.p99Ms).toBeGreaterThanOrEqual(hello?.p50Ms ?? 0);
      expect(metrics.snapshot("example.greeter.v1.Greeter", "SayHelloStream")).toMatchObject({
        calls: 1,
        errors: 0,
      });
      expect(metrics.snapshot()).toHaveLength(2);
    }
    expect(failures.map((r) => r.code)).toEqual([
      Code.InvalidArgument,
      Code.InvalidArgument,
      Code.InvalidArgument,
    ]);
    expect(all).toHaveLength(11);
    serverMetrics.reset();
    expect(serverMetrics.snapshot()).toEqual([]);
  });
});
