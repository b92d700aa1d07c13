import { describe, expect, it } from "vitest";
import {
  createGreeterClient,
  defineGreeter,
} from "../../generated/example/greeter/v1/greeter_nats.js";
import { Code } from "../../runtime/errors/code.js";
import {
  type CallLogEntry,
  loggingInterceptor,
} from "../../runtime/interceptors/logging-interceptor.js";
import { serve } from "../../runtime/server/serve.js";
import { collect, expectCode } from "../rpc/support/nats.js";
import { natsSuite } from "../support/nats-suite.js";
import { greeter } from "./support/greeter.js";

describe("logging interceptor", () => {
  const suite = natsSuite();

  async function setup(options: { payloads?: boolean } = {}) {
    const [rt] = suite.scope(suite.conn);
    const entries: CallLogEntry[] = [];
    const log = loggingInterceptor({ log: (e) => entries.push(e), ...options });
    suite.servers.push(await serve(rt!, [defineGreeter(greeter())], { interceptors: [log] }));
    return { entries, client: createGreeterClient(rt!, { interceptors: [log] }) };
  }

  it("logs each call once on each side: procedure, code and duration, no payloads", async () => {
    const { entries, client } = await setup();
    await client.sayHello({ name: "Ada" });
    await expectCode(client.sayHello({ name: "" }), Code.InvalidArgument);
    expect(entries.map((e) => [e.side, e.procedure, e.code])).toEqual([
      ["server", "/example.greeter.v1.Greeter/SayHello", "ok"],
      ["client", "/example.greeter.v1.Greeter/SayHello", "ok"],
      ["server", "/example.greeter.v1.Greeter/SayHello", "invalid_argument"],
      ["client", "/example.greeter.v1.Greeter/SayHello", "invalid_argument"],
    ]);
    expect(entries[3]?.error).toBe("name is required");
    for (const e of entries) {
      expect(e.kind).toBe("unary");
      expect(e.durationMs).toBeGreaterThanOrEqual(0);
      expect(e.durationMs).toBeLessThan(5_000);
      expect(e.request).toBeUndefined();
      expect(e.response).toBeUndefined();
    }
    // The client's duration includes the server's.
    expect(entries[1]!.durationMs).toBeGreaterThanOrEqual(entries[0]!.durationMs);
  });

  it("logs payloads only when asked", async () => {
    const { entries, client } = await setup({ payloads: true });
    await client.sayHello({ name: "Grace" });
    const clientEntry = entries.find((e) => e.side === "client");
    expect(clientEntry?.request).toMatchObject({ name: "Grace" });
    expect(clientEntry?.response).toMatchObject({ message: "Hello, Grace" });
  });

  it("logs a stream when it ends; a consumer that stops early is logged canceled", async () => {
    const { entries, client } = await setup();
    const all = await collect(client.sayHelloStream({ name: "x", count: 3 }));
    expect(all).toHaveLength(3);
    expect(entries.map((e) => [e.side, e.kind, e.code])).toEqual([
      ["server", "server_streaming", "ok"],
      ["client", "server_streaming", "ok"],
    ]);
    entries.length = 0;
    for await (const _ of client.sayHelloStream({ name: "x", count: 50 })) break;
    expect(entries.find((e) => e.side === "client")?.code).toBe("canceled");
  });

  it("a logger that throws does not fail the call", async () => {
    const [rt] = suite.scope(suite.conn);
    suite.servers.push(await serve(rt!, [defineGreeter(greeter())]));
    const failing = loggingInterceptor({
      log: () => {
        throw new Error("disk full");
      },
    });
    const client = createGreeterClient(rt!, { interceptors: [failing] });
    expect((await client.sayHello({ name: "x" })).message).toBe("Hello, x");
  });
});
