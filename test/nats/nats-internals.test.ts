import { type Msg, type NatsConnection, nuid } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../runtime/client/create-client.js";
import {
  inboxPrefixOf,
  natsInternalsEnabled,
  rawHeaders,
  setNatsInternals,
  socketOf,
} from "../../runtime/nats/nats-internals.js";
import { natsRuntime } from "../../runtime/nats/nats-runtime.js";
import {
  EncodedHeaders,
  parseHeaders,
  parsePublic,
} from "../../runtime/nats/transport/header-block.js";
import { defineService } from "../../runtime/server/define-service.js";
import { serve } from "../../runtime/server/serve.js";
import type { ParsedHeaders } from "../../runtime/wire/header-block.js";
import { Greeter, greeterHandlers } from "../rpc/support/greeter.js";
import { collect, type NatsFixture, natsFixture } from "../rpc/support/nats.js";

const enc = new TextEncoder();

/** Header blocks as they travel, including repeated names and status lines. */
const blocks = [
  "NATS/1.0\r\nPn-Method: Greeter/SayHello\r\n\r\n",
  "NATS/1.0\r\nA: 1\r\nB: two words\r\nA: 3\r\nA: 1\r\n\r\n",
  "NATS/1.0 503\r\n\r\n",
  "NATS/1.0 408 Request Timeout\r\n\r\n",
  "NATS/1.0 409 Consumer Deleted\r\nNats-Pending-Messages: 2\r\n\r\n",
  "NATS/1.0\r\nX-Empty:\r\nX-Colon: a:b:c\r\nx-lower: v\r\n\r\n",
];

/** Names to their values in order: what both parses must agree on (nats.js groups a repeated name). */
function byName(parsed: ParsedHeaders | undefined): [number, Record<string, string[]>] | undefined {
  if (parsed === undefined) return undefined;
  const names: Record<string, string[]> = {};
  for (let i = 0; i < parsed.entries.length; i += 2) {
    const name = parsed.entries[i] as string;
    const values = names[name] ?? [];
    values.push(parsed.entries[i + 1] as string);
    names[name] = values;
  }
  return [parsed.status, names];
}

/** Publishes `count` messages and collects them as received. */
async function roundTrip(
  nc: NatsConnection,
  send: (subject: string, i: number) => void,
  count: number,
): Promise<Msg[]> {
  const base = `t.${nuid.next()}`;
  const got: Msg[] = [];
  const done = new Promise<void>((resolve) => {
    nc.subscribe(`${base}.>`, {
      callback: (_err, msg) => {
        got.push(msg);
        if (got.length === count) resolve();
      },
    });
  });
  await nc.flush();
  for (let i = 0; i < count; i++) send(base, i);
  await done;
  return got;
}

describe("nats internals against their public fallbacks, on a real nats-server", () => {
  let nats: NatsFixture;
  let nc: NatsConnection;

  beforeAll(async () => {
    nats = await natsFixture();
    nc = await nats.connect();
  });
  afterAll(() => nats?.stop());
  afterEach(() => setNatsInternals(true));

  it("raw header parsing gives what msg.headers gives, for every block", async () => {
    const got = await roundTrip(
      nc,
      (base, i) =>
        nc.publish(`${base}.${i}`, enc.encode("body"), {
          headers: new EncodedHeaders(enc.encode(blocks[i] as string)),
        }),
      blocks.length,
    );
    const seen = got.map((msg) => {
      expect(rawHeaders(msg, () => true)).toBeDefined(); // the fast path is taken
      const fast = parseHeaders(msg);
      expect(byName(fast)).toEqual(byName(parsePublic(msg)));
      expect(msg.string()).toBe("body");
      return fast?.status;
    });
    expect(seen.sort()).toEqual([0, 0, 0, 408, 409, 503]);
  });

  it("forced off, headers come from msg.headers alone", async () => {
    setNatsInternals(false);
    const [msg] = await roundTrip(
      nc,
      (base) =>
        nc.publish(`${base}.x`, undefined, {
          headers: new EncodedHeaders(enc.encode(blocks[1] as string)),
        }),
      1,
    );
    expect(rawHeaders(msg as Msg, () => true)).toBeUndefined();
    expect(byName(parseHeaders(msg as Msg))).toEqual([0, { A: ["1", "3", "1"], B: ["two words"] }]);
  });

  for (const internals of [true, false]) {
    it(`an oversize header block is refused ResourceExhausted, internals ${internals ? "on" : "off"}`, async () => {
      setNatsInternals(internals);
      const block = `NATS/1.0\r\nX-Pad: ${"é".repeat(600)}\r\n\r\n`;
      const [msg] = await roundTrip(
        nc,
        (base) =>
          nc.publish(`${base}.x`, undefined, { headers: new EncodedHeaders(enc.encode(block)) }),
        1,
      );
      const size = enc.encode(block).length;
      expect(() => parseHeaders(msg as Msg, size - 1)).toThrow(
        new RegExp(`header block of ${size} bytes exceeds the limit of ${size - 1}`),
      );
      expect(parseHeaders(msg as Msg, size)?.entries[0]).toBe("X-Pad");
    });
  }

  it("a block the raw parse reads differently goes the public way alone, and cannot turn the fast path off", async () => {
    // nats.js keeps a line with an empty name; the raw parse drops it. A peer can send that first.
    const hostile = "NATS/1.0\r\n:x\r\nA: 1\r\n\r\n";
    const rejected = "NATS/1.0\r\n A: 1\r\n\r\n"; // nats.js throws on the space in the name
    const got = await roundTrip(
      nc,
      (base, i) =>
        nc.publish(`${base}.${i}`, undefined, {
          headers: new EncodedHeaders(enc.encode([hostile, rejected, blocks[0]][i] as string)),
        }),
      3,
    );
    const [first, second, third] = got.sort((a, b) => a.subject.localeCompare(b.subject)) as Msg[];
    setNatsInternals(true); // a fresh, unchecked state
    expect(byName(parseHeaders(first as Msg))).toEqual([0, { "": ["x"], A: ["1"] }]);
    expect(() => parseHeaders(second as Msg)).toThrow();
    // Neither turned the raw path off: the next well-formed block confirms it.
    expect(rawHeaders(third as Msg, (raw) => raw.length > 0)).toBeDefined();
    expect(byName(parseHeaders(third as Msg))).toEqual([0, { "Pn-Method": ["Greeter/SayHello"] }]);
    // Confirmed for good: the hostile block now takes the raw path too (and loses its empty name).
    expect(rawHeaders(first as Msg, () => false)).toBeDefined();
  });

  it("a fast path that never agrees with the public API is given up after 1,000 blocks", async () => {
    const [msg] = await roundTrip(
      nc,
      (base) =>
        nc.publish(`${base}.x`, undefined, {
          headers: new EncodedHeaders(enc.encode(blocks[0] as string)),
        }),
      1,
    );
    setNatsInternals(true); // a fresh, unchecked state
    for (let i = 0; i < 999; i++) expect(rawHeaders(msg as Msg, () => false)).toBeUndefined();
    expect(rawHeaders(msg as Msg, () => true)).toBeDefined(); // still checking: one match confirms
    setNatsInternals(true);
    for (let i = 0; i < 1_000; i++) expect(rawHeaders(msg as Msg, () => false)).toBeUndefined();
    expect(rawHeaders(msg as Msg, () => true)).toBeUndefined(); // off for good
    expect(byName(parseHeaders(msg as Msg))).toEqual([0, { "Pn-Method": ["Greeter/SayHello"] }]);
  });

  it("the socket is corkable with internals on, and not touched with them off", () => {
    const socket = socketOf(nc);
    expect(typeof socket?.cork).toBe("function");
    setNatsInternals(false);
    expect(natsInternalsEnabled()).toBe(false);
    expect(socketOf(nc)).toBeUndefined();
  });

  it("the inbox prefix: the explicit one first, then the connection's, else _INBOX", async () => {
    const custom = await nats.connect({ inboxPrefix: "_INBOX.mine" });
    expect(inboxPrefixOf(custom)).toBe("_INBOX.mine");
    expect(inboxPrefixOf(custom, "_INBOX.given")).toBe("_INBOX.given");
    expect(inboxPrefixOf(nc)).toBe("_INBOX");
    setNatsInternals(false);
    expect(inboxPrefixOf(custom)).toBe("_INBOX");
    expect(inboxPrefixOf(custom, "_INBOX.given")).toBe("_INBOX.given");
  });

  for (const internals of [true, false]) {
    it(`streams deliver every message in order with write coalescing ${internals ? "on" : "off"}`, async () => {
      setNatsInternals(internals);
      const namespace = `t${nuid.next().slice(-10).toLowerCase()}`;
      const srt = natsRuntime(await nats.connect(), { namespace });
      const cnc = await nats.connect();
      const crt = natsRuntime(cnc, { namespace });
      const server = await serve(srt, [defineService(Greeter, greeterHandlers("s"))]);
      try {
        const client = createClient(Greeter, crt);
        const count = 2000;
        const replies = await collect(
          client.sayHelloStream({ name: "n", count }, { timeoutMs: 20_000 }),
        );
        expect(replies.map((r) => r.message)).toEqual(
          Array.from({ length: count }, (_, i) => `Hello #${i}, n`),
        );
        // Coalesced, a turn's messages travel as compact batches: far fewer NATS messages.
        const received = cnc.stats().inMsgs;
        if (internals) expect(received).toBeLessThan(count / 4);
        else expect(received).toBeGreaterThan(count);
      } finally {
        await server.stop({ graceMs: 0 });
        await crt[Symbol.asyncDispose]();
        await srt[Symbol.asyncDispose]();
      }
    });
  }
});
