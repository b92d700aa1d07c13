import { create, toBinary } from "@bufbuild/protobuf";
import { headers, type Msg, nuid } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import {
  SayHelloRequestSchema,
  SayHelloStreamRequestSchema,
} from "../../generated/example/greeter/v1/greeter_pb.js";
import { defaultServerLimits } from "../../runtime/call/limits.js";
import { createClient } from "../../runtime/client/create-client.js";
import { Code } from "../../runtime/errors/code.js";
import { RpcError } from "../../runtime/errors/rpc-error.js";
import { natsRuntime } from "../../runtime/nats/nats-runtime.js";
import { defineService } from "../../runtime/server/define-service.js";
import { serve } from "../../runtime/server/serve.js";
import { serviceInfo } from "../../runtime/server/service-info.js";
import type { ServeOptions } from "../../runtime/server/service-options.js";
import { serviceAddress } from "../../runtime/transport/subjects.js";
import { natsSuite } from "../support/nats-suite.js";
import { serveGreeter } from "../support/served-greeter.js";
import { Greeter, greeterHandlers, sleep } from "./support/greeter.js";
import { expectCode } from "./support/nats.js";

const service = "example.greeter.v1.Greeter";

/** What the server answered a raw request: its status code and message, if any. */
function statusOf(msg: Msg): { code: number | undefined; message: string } {
  const status = msg.headers?.get("Pn-Status");
  return {
    code: status ? Number(status) : undefined,
    message: decodeURIComponent(msg.headers?.get("Pn-Message") ?? ""),
  };
}

function sayHelloBody(name: string): Uint8Array {
  return toBinary(SayHelloRequestSchema, create(SayHelloRequestSchema, { name }));
}

function streamBody(name: string, count: number): Uint8Array {
  return toBinary(
    SayHelloStreamRequestSchema,
    create(SayHelloStreamRequestSchema, { name, count }),
  );
}

/** Longest gap between the ticks of a 10 ms interval while `during` runs. */
async function longestStall(during: () => Promise<void>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 10);
  try {
    await during();
    await sleep(50); // Lets the ticker see a stall that just ended.
  } finally {
    clearInterval(ticker);
  }
  return longest;
}

describe("bounds on what a peer chooses", () => {
  const suite = natsSuite({ clientConnection: true });

  async function setup(serveOptions: ServeOptions = {}) {
    let handled = 0;
    const served = await serveGreeter(suite, {
      serveOptions,
      overrides: {
        async sayHello(req) {
          handled++;
          return { message: `Hello, ${req.name}` };
        },
      },
    });
    const ns = served.crt.namespace;
    return {
      ...served,
      handled: () => handled,
      endpoint: `${ns}.${service}.SayHello`,
      // Where the server takes this service's calls and streams.
      address: serviceAddress(ns, service, served.server.id),
    };
  }

  /** Publishes a raw stream `open` from the client connection; nobody reads the replies. */
  function rawOpen(
    address: string,
    method: string,
    extra: Record<string, string>,
    body: Uint8Array = new Uint8Array(0),
    reply = `_INBOX.raw.${nuid.next()}`,
  ): string {
    const h = headers();
    h.set("Pn-Frame", "open");
    h.set("Pn-Method", `/${service}/${method}`);
    for (const [k, v] of Object.entries(extra)) h.set(k, v);
    suite.clientConn.publish(address, body, { reply, headers: h });
    return reply;
  }

  it("a stream open asking Pn-Window 1e12 neither stalls the server nor sends beyond its maxWindow", async () => {
    const { address, crt, records } = await setup({ limits: { maxWindow: 1000 } });
    const reply = `_INBOX.window.${nuid.next()}`;
    let received = 0;
    const sub = suite.clientConn.subscribe(reply, {
      callback: () => {
        received++;
      },
    });
    await suite.clientConn.flush();
    const client = createClient(Greeter, crt);
    const stall = await longestStall(async () => {
      rawOpen(
        address,
        "SayHelloStream",
        { "Pn-Window": "1000000000000", "Pn-Heartbeat": "5000" },
        streamBody("x", 1_000_000),
        reply,
      );
      await suite.clientConn.flush();
      // Other calls keep being answered meanwhile.
      const started = performance.now();
      for (let i = 0; i < 5; i++) await client.sayHello({ name: `n${i}` });
      expect(performance.now() - started).toBeLessThan(2000);
      await sleep(500);
    });
    expect(stall).toBeLessThan(400);
    // A credit frame adding another 1e12 is capped as well.
    const credit = headers();
    credit.set("Pn-Frame", "credit");
    credit.set("Pn-Credit", "1000000000000");
    suite.clientConn.publish(address, new Uint8Array(0), { reply, headers: credit });
    await sleep(500);
    // The stream waits for credit: at most the server's maxWindow twice (window, then the grant).
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThanOrEqual(2000);
    expect(records.filter((r) => r.method === "SayHelloStream")).toEqual([]);
    sub.unsubscribe();
  });

  it("a client's request pump caps a server's credit and yields to the event loop", async () => {
    // A hostile "server": registered like any node, it grants 1e12 request credit.
    const [srt, crt] = suite.scope(suite.conn, suite.clientConn);
    const address = serviceAddress(srt!.namespace, service, "hostile");
    let received = 0;
    const sub = suite.conn.subscribe(address, {
      callback: (_err, msg) => {
        received++;
        if (msg.headers?.get("Pn-Frame") !== "open" || !msg.reply) return;
        const h = headers();
        h.set("Pn-Frame", "credit");
        h.set("Pn-Credit", "1000000000000");
        suite.conn.publish(msg.reply, new Uint8Array(0), { headers: h });
      },
    });
    await srt!.registry.register(
      serviceInfo(Greeter, {}, { id: "hostile", address, metadata: {} }),
    );
    const client = createClient(Greeter, crt!);
    async function* endless() {
      for (let i = 0; ; i++) yield { name: `n${i}` };
    }
    const abort = new AbortController();
    const stall = await longestStall(async () => {
      const responses = client.chat(endless(), { signal: abort.signal });
      void (async () => {
        for await (const _ of responses);
      })().catch(() => undefined);
      await sleep(1000);
    });
    abort.abort();
    sub.unsubscribe();
    expect(stall).toBeLessThan(400);
    // The open, then at most the client's cap of credit.
    expect(received).toBeGreaterThan(1);
    expect(received).toBeLessThanOrEqual(1 + defaultServerLimits.maxWindow + 1);
  });

  it("createClient refuses a window or heartbeat no server accepts", () => {
    const { crt } = { crt: suite.scope(suite.clientConn)[0]! };
    const tooWide = () => createClient(Greeter, crt, { window: 1e9 });
    expect(tooWide).toThrow(RpcError);
    expect(tooWide).toThrow(/window must be an integer from 1 to 4096/);
    expect(() => createClient(Greeter, crt, { heartbeatMs: 60_000 })).toThrow(
      /heartbeatMs must be from 20 to 15000/,
    );
    expect(() =>
      createClient(Greeter, crt, { window: defaultServerLimits.maxWindow }),
    ).not.toThrow();
  });

  it("Pn-Timeout 0 fails DeadlineExceeded and garbage or negative InvalidArgument, without running the handler", async () => {
    const { endpoint, handled } = await setup();
    const ask = async (timeout: string) => {
      const h = headers();
      h.set("Pn-Timeout", timeout);
      return statusOf(
        await suite.clientConn.request(endpoint, sayHelloBody("t"), { timeout: 2000, headers: h }),
      );
    };
    expect((await ask("0")).code).toBe(Code.DeadlineExceeded);
    expect((await ask("-5")).code).toBe(Code.InvalidArgument);
    expect((await ask("soon")).code).toBe(Code.InvalidArgument);
    expect(handled()).toBe(0);
    expect((await ask("1000")).code).toBeUndefined();
    expect(handled()).toBe(1);
  });

  it("a header block over the limit is refused ResourceExhausted before it is parsed", async () => {
    const { endpoint, handled } = await setup();
    const ask = async (subject: string, bytes: number) => {
      const h = headers();
      h.set("X-Padding", "p".repeat(bytes));
      return statusOf(
        await suite.clientConn.request(subject, sayHelloBody("big"), { timeout: 2000, headers: h }),
      );
    };
    const answer = await ask(endpoint, 70 * 1024);
    expect(answer.code).toBe(Code.ResourceExhausted);
    expect(answer.message).toMatch(/header block of \d+ bytes exceeds the limit of 65536/);
    expect(handled()).toBe(0);
    expect((await ask(endpoint, 2048)).code).toBeUndefined();
    // The limit is a runtime option.
    const namespace = `h${nuid.next().slice(-8).toLowerCase()}`;
    const strict = natsRuntime(suite.conn, { namespace, maxHeaderBytes: 1024 });
    suite.servers.push(await serve(strict, [defineService(Greeter, greeterHandlers("strict"))]));
    expect((await ask(`${namespace}.${service}.SayHello`, 2048)).code).toBe(Code.ResourceExhausted);
    suite.cleanup(async () => {
      await strict.registry.close();
      await strict.transport.close();
    });
  });

  it("limits open streams per client connection and per server (ResourceExhausted beyond)", async () => {
    const { crt, address, records } = await setup({
      limits: { maxStreamsPerClient: 3, maxStreams: 5 },
    });
    const client = createClient(Greeter, crt);
    const idle = new AbortController();
    async function* silent() {
      await new Promise((resolve) => idle.signal.addEventListener("abort", resolve));
    }
    const open = () => client.chat(silent())[Symbol.asyncIterator]().next();
    const first = [open(), open(), open()];
    for (const p of first) p.catch(() => undefined);
    const refused = await expectCode(open(), Code.ResourceExhausted);
    expect(refused.message).toMatch(/client connection is at its limit of 3 open streams/);
    // Other client connections (reply prefixes) still get streams, up to the server's limit.
    rawOpen(address, "Chat", {});
    rawOpen(address, "Chat", {});
    const other = `_INBOX.other.${nuid.next()}`;
    const answer = new Promise<Msg>((resolve) => {
      suite.clientConn.subscribe(other, { max: 1, callback: (_e, m) => resolve(m) });
    });
    await suite.clientConn.flush();
    rawOpen(address, "Chat", {}, undefined, other);
    const serverFull = statusOf(await answer);
    expect(serverFull.code).toBe(Code.ResourceExhausted);
    expect(serverFull.message).toMatch(/server is at its limit of 5 open streams/);
    // Refusals are counted as failed calls.
    expect(records.filter((r) => r.code === Code.ResourceExhausted)).toHaveLength(2);
    idle.abort();
  });

  it("a client asking a long heartbeat is reaped after the server's maxHeartbeatMs", async () => {
    const { address, records } = await setup({ limits: { maxHeartbeatMs: 200 } });
    const started = performance.now();
    rawOpen(address, "Chat", { "Pn-Heartbeat": "60000" });
    while (records.length === 0 && performance.now() - started < 5000) await sleep(20);
    expect(records[0]?.code).toBe(Code.Unavailable);
    expect(records[0]?.errorMessage).toMatch(/missed heartbeats/);
    // 3 x 200 ms, plus a tick and a loaded machine's margin.
    expect(performance.now() - started).toBeLessThan(2500);
  });

  it("serve refuses limits that are not positive integers", async () => {
    await expect(setup({ limits: { maxWindow: 0 } })).rejects.toThrow(/limits.maxWindow/);
  });
});
