import type { NatsConnection } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { createClient } from "../../runtime/client/create-client.js";
import { Code } from "../../runtime/errors/code.js";
import type { RpcError } from "../../runtime/errors/rpc-error.js";
import type { ServeOptions } from "../../runtime/server/service-options.js";
import { natsSuite } from "../support/nats-suite.js";
import { serveGreeter } from "../support/served-greeter.js";
import { Greeter, type greeterHandlers, sleep } from "./support/greeter.js";
import { collect, expectCode } from "./support/nats.js";

describe("streaming over NATS", () => {
  const suite = natsSuite({ clientConnection: true });

  function setup(
    overrides: Partial<ReturnType<typeof greeterHandlers>> = {},
    serveOptions: ServeOptions = {},
    clientConn: NatsConnection = suite.clientConn,
  ) {
    return serveGreeter(suite, { overrides, serveOptions, clientConn });
  }

  async function* names(...list: string[]) {
    for (const name of list) yield { name };
  }

  it("server streaming delivers every message, then headers and trailers", async () => {
    const { crt } = await setup({
      async *sayHelloStream(req, ctx) {
        ctx.responseHeader.kind = "stream";
        for (let i = 0; i < req.count; i++) yield { message: `#${i}` };
        ctx.responseTrailer.total = String(req.count);
      },
    });
    const client = createClient(Greeter, crt);
    let header: Record<string, string> = {};
    let trailer: Record<string, string> = {};
    const got = await collect(
      client.sayHelloStream(
        { name: "x", count: 200 },
        { onHeader: (h) => (header = { ...h }), onTrailer: (t) => (trailer = { ...t }) },
      ),
    );
    expect(got.map((m) => m.message)).toEqual(Array.from({ length: 200 }, (_, i) => `#${i}`));
    expect(header.kind).toBe("stream");
    expect(trailer.total).toBe("200");
  });

  it("client streaming sends every request and gets one response", async () => {
    const { crt } = await setup();
    const res = await createClient(Greeter, crt).sayHelloToAll(names("Ada", "Grace", "Barbara"));
    expect(res.message).toBe("Hello, Ada and Grace and Barbara");
  });

  it("bidi streaming answers each message as it arrives", async () => {
    const { crt } = await setup();
    const client = createClient(Greeter, crt);
    // Each request is only produced after the previous answer: true interleaving.
    let answered: () => void = () => {};
    async function* conversation() {
      for (const name of ["a", "b", "c"]) {
        const next = new Promise<void>((r) => (answered = r));
        yield { name };
        await next;
      }
    }
    const replies: string[] = [];
    for await (const m of client.chat(conversation())) {
      replies.push(m.message);
      answered();
    }
    expect(replies).toEqual(["Hi a", "Hi b", "Hi c"]);
  });

  it("an error mid-stream arrives with its code after the messages before it", async () => {
    const { crt } = await setup();
    const replies: string[] = [];
    const e = await expectCode(
      (async () => {
        for await (const m of createClient(Greeter, crt).chat(names("a", "fail", "c"))) {
          replies.push(m.message);
        }
      })(),
      Code.FailedPrecondition,
    );
    expect(e.rawMessage).toBe("chat refused");
    expect(replies).toEqual(["Hi a"]);
  });

  it("a response header NATS cannot carry ends the stream at the client with Internal", async () => {
    const { crt } = await setup({
      async *sayHelloStream(_req, ctx) {
        ctx.responseHeader["bad header name"] = "x";
        yield { message: "never sent" };
      },
    });
    const client = createClient(Greeter, crt);
    const started = Date.now();
    const error = await expectCode(
      collect(client.sayHelloStream({ name: "x", count: 1 }, { timeoutMs: 20_000 })),
      Code.Internal,
    );
    expect(error.message).toMatch(/header/i);
    // Told at once, not left to the deadline or the heartbeats.
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("a slow consumer keeps a fast server-stream producer within the window", async () => {
    let produced = 0;
    const { crt } = await setup({
      async *sayHelloStream(req) {
        for (let i = 0; i < req.count; i++) {
          produced++;
          yield { message: String(i) };
        }
      },
    });
    const window = 8;
    const client = createClient(Greeter, crt, { window });
    let consumed = 0;
    let maxAhead = 0;
    for await (const _ of client.sayHelloStream({ name: "x", count: 100 })) {
      consumed++;
      await sleep(consumed < 20 ? 15 : 0);
      maxAhead = Math.max(maxAhead, produced - consumed);
    }
    expect(consumed).toBe(100);
    // Window plus the message the generator has ready while it waits for credit.
    expect(maxAhead).toBeLessThanOrEqual(window + 1);
    expect(maxAhead).toBeGreaterThan(2);
  });

  it("a slow server keeps a fast client-stream producer within the server's window", async () => {
    const window = 6;
    let consumed = 0;
    const { crt } = await setup(
      {
        async sayHelloToAll(requests) {
          for await (const _ of requests) {
            consumed++;
            if (consumed < 20) await sleep(15);
          }
          return { message: String(consumed) };
        },
      },
      { window },
    );
    let produced = 0;
    let maxAhead = 0;
    async function* fast() {
      for (let i = 0; i < 60; i++) {
        produced++;
        maxAhead = Math.max(maxAhead, produced - consumed);
        yield { name: String(i) };
      }
    }
    const res = await createClient(Greeter, crt).sayHelloToAll(fast());
    expect(res.message).toBe("60");
    // The server's queue holds at most `window`; the generator has one more ready.
    expect(maxAhead).toBeLessThanOrEqual(window + 2);
    expect(maxAhead).toBeGreaterThan(2);
  });

  it("the client's AbortSignal cancels the stream and aborts the handler's signal", async () => {
    let handlerAborted: unknown;
    const { crt, records } = await setup({
      async *sayHelloStream(_req, ctx) {
        for (let i = 0; ; i++) {
          yield { message: String(i) };
          try {
            await sleep(20, ctx.signal);
          } catch (reason) {
            handlerAborted = reason;
            return;
          }
        }
      },
    });
    const controller = new AbortController();
    const got: string[] = [];
    await expectCode(
      (async () => {
        for await (const m of createClient(Greeter, crt).sayHelloStream(
          { name: "x", count: 0 },
          { signal: controller.signal },
        )) {
          got.push(m.message);
          if (got.length === 3) controller.abort();
        }
      })(),
      Code.Canceled,
    );
    await sleep(100);
    expect((handlerAborted as RpcError).code).toBe(Code.Canceled);
    expect(records.at(-1)?.code).toBe(Code.Canceled);
  });

  it("breaking out of the response loop cancels the server side", async () => {
    let handlerAborted = false;
    const { crt } = await setup({
      async *sayHelloStream(_req, ctx) {
        ctx.signal.addEventListener("abort", () => (handlerAborted = true));
        for (let i = 0; ; i++) {
          yield { message: String(i) };
          await sleep(5);
        }
      },
    });
    for await (const m of createClient(Greeter, crt).sayHelloStream({ name: "x", count: 0 })) {
      if (m.message === "2") break;
    }
    await sleep(100);
    expect(handlerAborted).toBe(true);
  });

  it("a response stream returned before its first read cancels the server side", async () => {
    const { crt, records } = await setup({
      async *sayHelloStream(_req, ctx) {
        for (let i = 0; ; i++) {
          yield { message: String(i) };
          await sleep(5, ctx.signal);
        }
      },
    });
    const stream = createClient(Greeter, crt).sayHelloStream({ name: "x", count: 0 });
    await stream[Symbol.asyncIterator]().return?.();
    await sleep(200);
    expect(records.at(-1)?.code).toBe(Code.Canceled);
  });

  it("overlapping reads of a response stream get its messages in order", async () => {
    const { crt } = await setup({
      async *sayHelloStream(req) {
        for (let i = 0; i < req.count; i++) {
          await sleep(1);
          yield { message: String(i) };
        }
      },
    });
    let header: Record<string, string> | undefined;
    const it = createClient(Greeter, crt)
      .sayHelloStream({ name: "x", count: 6 }, { onHeader: (h) => (header = h) })
      [Symbol.asyncIterator]();
    const reads = await Promise.all(Array.from({ length: 8 }, () => it.next()));
    expect(reads.map((r) => (r.done ? "done" : r.value.message))).toEqual([
      "0",
      "1",
      "2",
      "3",
      "4",
      "5",
      "done",
      "done",
    ]);
    expect(header).toBeDefined();
  });

  it("a server stopping mid-stream ends the client's stream with Unavailable", async () => {
    const { crt, server } = await setup({
      async *chat(requests, ctx) {
        for await (const r of requests) yield { message: r.name };
        await sleep(10_000, ctx.signal);
      },
    });
    const stream = createClient(Greeter, crt).chat(names("a"));
    const it = stream[Symbol.asyncIterator]();
    expect((await it.next()).value?.message).toBe("a");
    await server.stop({ graceMs: 50 });
    await expectCode(it.next(), Code.Unavailable);
  });

  it("a stream deadline ends it with DeadlineExceeded on both sides", async () => {
    const { crt, records } = await setup({
      async *chat(_requests, ctx) {
        yield { message: "first" };
        await sleep(5_000, ctx.signal);
      },
    });
    const got: string[] = [];
    await expectCode(
      (async () => {
        for await (const m of createClient(Greeter, crt).chat(names("a"), { timeoutMs: 200 })) {
          got.push(m.message);
        }
      })(),
      Code.DeadlineExceeded,
    );
    expect(got).toEqual(["first"]);
    await sleep(100);
    expect(records.at(-1)?.code).toBe(Code.DeadlineExceeded);
  });

  it("the server reaps the stream of a client that vanished, within the heartbeat bound", async () => {
    const vanishing = await suite.nats.connect();
    let aborted: RpcError | undefined;
    const { crt, records } = await setup(
      {
        async *chat(requests, ctx) {
          ctx.signal.addEventListener("abort", () => (aborted = ctx.signal.reason as RpcError));
          for await (const r of requests) yield { message: r.name };
        },
      },
      {},
      vanishing,
    );
    const heartbeatMs = 100;
    const client = createClient(Greeter, crt, { heartbeatMs, timeoutMs: Infinity });
    // Requests that never end: the stream stays open until someone gives up.
    async function* forever() {
      yield { name: "hello" };
      await new Promise(() => {});
    }
    const it = client.chat(forever())[Symbol.asyncIterator]();
    expect((await it.next()).value?.message).toBe("hello");
    const gone = Date.now();
    await vanishing.close(); // no cancel frame can be sent: the client just disappears
    while (records.length === 0 && Date.now() - gone < 3_000) await sleep(20);
    const elapsed = Date.now() - gone;
    expect(records.at(-1)?.code).toBe(Code.Unavailable);
    expect(aborted?.code).toBe(Code.Unavailable);
    // 3 missed heartbeats of 100 ms, plus the monitor's tick and scheduling slack.
    expect(elapsed).toBeLessThan(3 * heartbeatMs + 400);
    expect(elapsed).toBeGreaterThanOrEqual(2 * heartbeatMs);
  });

  it("a stream that cannot open fails when iterated, and is harmless when never iterated", async () => {
    const [crt] = suite.scope(suite.clientConn);
    const client = createClient(Greeter, crt!);
    client.sayHelloStream({ name: "never read", count: 1 }); // must not be an unhandled rejection
    await expectCode(collect(client.sayHelloStream({ name: "x", count: 1 })), Code.NotFound);
    await sleep(50);
  });

  it("idle streams stay alive on heartbeats alone", async () => {
    const { crt } = await setup({
      async *chat(requests) {
        for await (const r of requests) yield { message: r.name };
      },
    });
    const client = createClient(Greeter, crt, { heartbeatMs: 50, timeoutMs: Infinity });
    async function* slowNames() {
      yield { name: "a" };
      await sleep(600); // twelve heartbeat intervals of silence from the application
      yield { name: "b" };
    }
    const got = await collect(client.chat(slowNames()));
    expect(got.map((m) => m.message)).toEqual(["a", "b"]);
  });
});
