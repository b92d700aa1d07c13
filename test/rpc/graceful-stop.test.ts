import { describe, expect, it } from "vitest";
import { createClient } from "../../runtime/client/create-client.js";
import { Code } from "../../runtime/errors/code.js";
import { RpcError } from "../../runtime/errors/rpc-error.js";
import { defineService } from "../../runtime/server/define-service.js";
import type { CallRecord } from "../../runtime/server/observer.js";
import { serve } from "../../runtime/server/serve.js";
import { natsSuite } from "../support/nats-suite.js";
import { Greeter, greeterHandlers, greeterWith, sleep } from "./support/greeter.js";

describe("stopping a server", () => {
  const suite = natsSuite({ clientConnection: true });

  it("mid-load loses no accepted call: each gets its reply or a clear Unavailable/NotFound", async () => {
    const [srt, crt] = suite.scope(suite.conn, suite.clientConn);
    const records: CallRecord[] = [];
    const server = await serve(srt!, [defineService(Greeter, greeterHandlers("s"))], {
      observers: [{ callFinished: (r) => records.push(r) }],
    });
    const client = createClient(Greeter, crt!, { timeoutMs: 5_000 });
    const outcomes: (string | RpcError)[] = [];
    let stopRequested = false;
    const workers = Array.from({ length: 16 }, async () => {
      // Keep calling until well after the stop: calls before, during and after it.
      for (let i = 0; i < 200 && !(stopRequested && outcomes.length > 400); i++) {
        try {
          const res = await client.sayHello({ name: "slow:20" });
          outcomes.push(res.message);
        } catch (e) {
          outcomes.push(e as RpcError);
        }
      }
    });
    await sleep(300);
    stopRequested = true;
    const stopping = server.stop({ graceMs: 3_000 });
    await Promise.all(workers);
    await stopping;

    const ok = outcomes.filter((o) => typeof o === "string");
    const failed = outcomes.filter((o): o is RpcError => o instanceof RpcError);
    expect(ok.length + failed.length).toBe(outcomes.length);
    expect(ok.length).toBeGreaterThan(50);
    expect(failed.length).toBeGreaterThan(0);
    for (const e of failed) expect([Code.Unavailable, Code.NotFound]).toContain(e.code);
    // Every call the server accepted ran to completion and its reply arrived.
    expect(records.every((r) => r.code === undefined)).toBe(true);
    expect(records.length).toBe(ok.length);
  });

  it("calls still running when the grace period ends are aborted and answered Unavailable", async () => {
    const [srt, crt] = suite.scope(suite.conn, suite.clientConn);
    let handlerSignal: AbortSignal | undefined;
    const server = await serve(srt!, [
      defineService(
        Greeter,
        greeterWith("s", {
          async sayHello(_req, ctx) {
            handlerSignal = ctx.signal;
            await sleep(10_000, ctx.signal).catch(() => undefined);
            return { message: "too late" };
          },
        }),
      ),
    ]);
    const call = createClient(Greeter, crt!)
      .sayHello({ name: "x" })
      .then(
        () => undefined,
        (e: RpcError) => e,
      );
    await sleep(100);
    const started = Date.now();
    await server.stop({ graceMs: 200 });
    expect(Date.now() - started).toBeLessThan(2_000);
    const error = await call;
    expect(error?.code).toBe(Code.Unavailable);
    expect(handlerSignal?.aborted).toBe(true);
    // The node is out of discovery.
    const again = await createClient(Greeter, crt!)
      .sayHello({ name: "x" })
      .then(
        () => undefined,
        (e: RpcError) => e.code,
      );
    expect(again).toBe(Code.NotFound);
  });
});
