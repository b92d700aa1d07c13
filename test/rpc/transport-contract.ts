import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code } from "../../runtime/errors/code.js";
import { RpcError } from "../../runtime/errors/rpc-error.js";
import { isUndelivered } from "../../runtime/errors/undelivered.js";
import type {
  Acceptor,
  ClientSocket,
  Frame,
  FrameReceiver,
  Listener,
  ServerSocket,
  Transport,
} from "../../runtime/transport/transport.js";

/** Two transports that reach each other (a server process and a client process). */
export interface TransportPair {
  server: Transport;
  client: Transport;
  /** Sends `payload` to `subject` as a message without header block, as any peer on the bus may. */
  raw(subject: string, reply: string | undefined, payload: Uint8Array): void;
  close(): Promise<void>;
}

/** The reply address of a dialed connection (the client's end, as a hostile peer would forge it). */
function replyOf(socket: ClientSocket): string {
  return (socket as unknown as { reply: string }).reply;
}

/** Payloads without header block that no stream frame may be. */
const badCompact: [string, number[]][] = [
  ["empty payload", []],
  ["msg marker without seq", [0x00]],
  ["msg seq truncated", [0x00, 0x80]],
  ["msg seq longer than 8 bytes", [0x00, ...Array(9).fill(0xff), 0x01]],
  ["msg seq beyond a safe integer", [0x00, ...Array(7).fill(0xff), 0x7f]],
  ["credit without credit", [0x01, 0x01]],
  ["credit with trailing bytes", [0x01, 0x01, 0x05, 0x00]],
  ["reserved marker", [0x04, 0x01]],
  ["a compact call's marker", [0x02, 0x00, 0x02, 0x2f, 0x78]],
  ["batch without frames", [0x03]],
  ["batch part length truncated", [0x03, 0x80]],
  ["batch part of length 0", [0x03, 0x00, 0x02, 0x00, 0x01]],
  ["batch part running past the end", [0x03, 0x05, 0x00, 0x01]],
  ["batch nested in a batch", [0x03, 0x04, 0x03, 0x02, 0x00, 0x01]],
  ["batch part with a truncated seq", [0x03, 0x02, 0x00, 0x80]],
  ["a protobuf body without preamble", [0x0a, 0x01, 0x78]],
];

/** Compact calls (marker 0x02) that no server may run. */
const badCompactCalls: [string, number[]][] = [
  ["timeout truncated", [0x02, 0x80]],
  ["timeout longer than 8 bytes", [0x02, ...Array(9).fill(0xff), 0x01]],
  ["method length missing", [0x02, 0x00]],
  ["empty method", [0x02, 0x00, 0x00, 0x0a]],
  ["method past the payload", [0x02, 0x00, 0x05, 0x2f, 0x78]],
  ["method over 1024 bytes", [0x02, 0x00, 0x81, 0x08, ...Array(1025).fill(0x78)]],
  ["method not UTF-8", [0x02, 0x00, 0x02, 0xff, 0xfe]],
];

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Collects frames and lets a test wait for the n-th one. */
class Inbox implements FrameReceiver {
  readonly frames: Frame[] = [];
  private waiters: (() => void)[] = [];
  receive(frame: Frame): void {
    this.frames.push(frame);
    for (const w of this.waiters.splice(0)) w();
  }
  async nth(n: number, timeoutMs = 2_000): Promise<Frame> {
    const until = Date.now() + timeoutMs;
    while (this.frames.length <= n) {
      if (Date.now() > until) throw new Error(`frame #${n} did not arrive`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 20);
      });
    }
    return this.frames[n] as Frame;
  }
}

/** An acceptor that records connections and answers unary calls with an echo. */
class EchoAcceptor implements Acceptor {
  readonly accepted: { frame: Frame; socket: ServerSocket; inbox: Inbox }[] = [];
  readonly refusals: RpcError[] = [];
  refused(_method: string | undefined, error: RpcError): void {
    this.refusals.push(error);
  }
  accept(frame: Frame, socket: ServerSocket): void {
    const inbox = new Inbox();
    this.accepted.push({ frame, socket, inbox });
    if (frame.type === "call") {
      if (frame.method === "/fail") {
        socket.send({
          type: "reply",
          error: new RpcError(Code.PermissionDenied, "no entry: é ✓ 100%", {
            metadata: { why: "policy" },
            details: [{ typeName: "example.Detail", value: new Uint8Array([1, 2, 3]) }],
          }),
        });
        return;
      }
      socket.send({
        type: "reply",
        headers: { echoed: frame.headers?.h ?? "" },
        trailers: { t: "1" },
        body: frame.body,
      });
    } else {
      socket.bind(inbox);
    }
  }
}

/**
 * The behaviour every `Transport` must have, run against each implementation:
 * `make` builds a fresh pair for the suite.
 */
export function transportContract(name: string, make: () => Promise<TransportPair>): void {
  describe(`Transport contract: ${name}`, () => {
    let pair: TransportPair;
    let acceptor: EchoAcceptor;
    let listener: Listener;

    beforeAll(async () => {
      pair = await make();
      acceptor = new EchoAcceptor();
      listener = await pair.server.listen({ nodeId: `contract${Date.now()}` }, acceptor);
    });
    afterAll(async () => {
      await listener?.close();
      await pair?.close();
    });

    /** The connection the listener accepted for `method`, once it arrives. */
    const acceptedFor = (method: string | undefined) =>
      waitFor(() => acceptor.accepted.find((a) => a.frame.method === method));

    /** A stream to `method`, opened and accepted: both ends and the client's inbox. */
    async function openStream(method: string) {
      const inbox = new Inbox();
      const socket = pair.client.dial(listener.address, inbox);
      socket.send({ type: "open", method });
      return { inbox, socket, accepted: await acceptedFor(method) };
    }

    it("a call reaches the listener with method, budget, headers and body; the reply comes back", async () => {
      const inbox = new Inbox();
      const socket = pair.client.dial(listener.address, inbox);
      socket.send({
        type: "call",
        method: "/echo",
        timeoutMs: 1234,
        headers: { h: "v" },
        body: enc.encode("ping"),
      });
      const reply = await inbox.nth(0);
      socket.close();
      const accepted = acceptor.accepted.at(-1)!;
      expect(accepted.frame.type).toBe("call");
      expect(accepted.frame.method).toBe("/echo");
      expect(accepted.frame.timeoutMs).toBe(1234);
      expect(accepted.frame.headers).toEqual({ h: "v" });
      expect(reply.type).toBe("reply");
      expect(dec.decode(reply.body)).toBe("ping");
      expect(reply.headers).toEqual({ echoed: "v" });
      expect(reply.trailers).toEqual({ t: "1" });
    });

    it("an error reply keeps code, message, metadata and details", async () => {
      const inbox = new Inbox();
      pair.client.dial(listener.address, inbox).send({ type: "call", method: "/fail" });
      const reply = await inbox.nth(0);
      expect(reply.type).toBe("reply");
      expect(reply.error?.code).toBe(Code.PermissionDenied);
      expect(reply.error?.rawMessage).toBe("no entry: é ✓ 100%");
      expect(reply.error?.metadata.why).toBe("policy");
      expect(reply.error?.details).toEqual([
        { typeName: "example.Detail", value: new Uint8Array([1, 2, 3]) },
      ]);
    });

    it("concurrent calls are told apart by their connection", async () => {
      const replies = await Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          const inbox = new Inbox();
          const socket = pair.client.dial(listener.address, inbox);
          socket.send({ type: "call", method: "/echo", body: enc.encode(String(i)) });
          const reply = await inbox.nth(0);
          socket.close();
          return dec.decode(reply.body);
        }),
      );
      expect(replies).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
    });

    it("an address nobody listens on answers with an undelivered Unavailable cancel", async () => {
      const inbox = new Inbox();
      pair.client.dial("pn.node.nobody-here", inbox).send({ type: "call", method: "/echo" });
      const frame = await inbox.nth(0);
      expect(frame.type).toBe("cancel");
      expect(frame.error?.code).toBe(Code.Unavailable);
      expect(isUndelivered(frame.error)).toBe(true);
    });

    it("a one-way call reaches the listener; its answers go nowhere", async () => {
      pair.client.publish(listener.address, {
        type: "call",
        method: "/oneway",
        body: enc.encode("x"),
      });
      const accepted = await acceptedFor("/oneway");
      expect(dec.decode(accepted.frame.body)).toBe("x");
      // The echo acceptor already replied into the void; sending again must not throw.
      accepted.socket.send({ type: "reply", body: enc.encode("ignored") });
      // An address without listener is not an error for a one-way call.
      pair.client.publish("pn.node.nobody-here", { type: "call", method: "/oneway" });
    });

    it("a stream carries frames both ways, in order, on one pseudo connection", async () => {
      const inbox = new Inbox();
      const socket = pair.client.dial(listener.address, inbox);
      socket.send({
        type: "open",
        method: "/bidi",
        window: 7,
        heartbeatMs: 99,
        headers: { a: "b" },
      });
      for (let i = 0; i < 20; i++) socket.send({ type: "message", body: enc.encode(String(i)) });
      socket.send({ type: "credit", credit: 3 });
      socket.send({ type: "ping" });
      socket.send({ type: "end" });
      const accepted = await acceptedFor("/bidi");
      expect(accepted.frame).toMatchObject({
        type: "open",
        method: "/bidi",
        window: 7,
        heartbeatMs: 99,
      });
      expect(accepted.frame.headers).toEqual({ a: "b" });
      await accepted.inbox.nth(22);
      const types = accepted.inbox.frames.map((f) => f.type);
      expect(types).toEqual([...Array(20).fill("message"), "credit", "ping", "end"]);
      expect(accepted.inbox.frames.slice(0, 20).map((f) => dec.decode(f.body))).toEqual(
        Array.from({ length: 20 }, (_, i) => String(i)),
      );
      expect(accepted.inbox.frames[20]?.credit).toBe(3);

      accepted.socket.send({ type: "message", headers: { first: "1" }, body: enc.encode("r0") });
      accepted.socket.send({ type: "credit", credit: 5 });
      accepted.socket.send({
        type: "end",
        trailers: { done: "yes" },
        error: new RpcError(Code.Aborted, "stop"),
      });
      await inbox.nth(2);
      expect(inbox.frames[0]).toMatchObject({ type: "message", headers: { first: "1" } });
      expect(inbox.frames[1]).toMatchObject({ type: "credit", credit: 5 });
      expect(inbox.frames[2]?.type).toBe("end");
      expect(inbox.frames[2]?.error?.code).toBe(Code.Aborted);
      expect(inbox.frames[2]?.trailers).toEqual({ done: "yes" });
      accepted.socket.close();
      socket.close();
    });

    it("stream frames are numbered; msg without headers and credit decode from the compact form", async () => {
      const inbox = new Inbox();
      const socket = pair.client.dial(listener.address, inbox);
      socket.send({ type: "open", method: "/compact" });
      socket.send({ type: "message" }); // An empty message: the preamble alone.
      socket.send({ type: "message", body: enc.encode("x".repeat(300)) });
      socket.send({ type: "credit", credit: 200_000 });
      const accepted = await acceptedFor("/compact");
      await accepted.inbox.nth(2);
      expect(accepted.inbox.frames.map((f) => [f.type, f.seq])).toEqual([
        ["message", 1],
        ["message", 2],
        ["credit", 3],
      ]);
      expect(accepted.inbox.frames[0]?.body ?? new Uint8Array(0)).toHaveLength(0);
      expect(dec.decode(accepted.inbox.frames[1]?.body)).toBe("x".repeat(300));
      expect(accepted.inbox.frames[2]?.credit).toBe(200_000);
      accepted.socket.send({ type: "message", body: enc.encode("a") });
      accepted.socket.send({ type: "message", headers: { h: "1" }, body: enc.encode("b") });
      accepted.socket.send({ type: "credit", credit: 1 });
      await inbox.nth(2);
      expect(inbox.frames.map((f) => [f.type, f.seq, f.headers])).toEqual([
        ["message", 1, undefined],
        ["message", 2, { h: "1" }],
        ["credit", 3, undefined],
      ]);
      expect(dec.decode(inbox.frames[1]?.body)).toBe("b");
      accepted.socket.close();
      socket.close();
    });

    it("a compact batch delivers its frames in order, each way", async () => {
      const { inbox, socket, accepted } = await openStream("/batch");
      // msg 1 "a", credit 2 of 5, msg 3 empty.
      const batch = [0x03, 0x03, 0x00, 0x01, 0x61, 0x03, 0x01, 0x02, 0x05, 0x02, 0x00, 0x03];
      pair.raw(listener.address, replyOf(socket), new Uint8Array(batch));
      await accepted.inbox.nth(2);
      expect(accepted.inbox.frames.map((f) => [f.type, f.seq])).toEqual([
        ["message", 1],
        ["credit", 2],
        ["message", 3],
      ]);
      expect(dec.decode(accepted.inbox.frames[0]?.body)).toBe("a");
      expect(accepted.inbox.frames[1]?.credit).toBe(5);
      pair.raw(replyOf(socket), undefined, new Uint8Array(batch));
      await inbox.nth(2);
      expect(inbox.frames.map((f) => [f.type, f.seq])).toEqual([
        ["message", 1],
        ["credit", 2],
        ["message", 3],
      ]);
      accepted.socket.close();
      socket.close();
    });

    it("a frame after a batch's gap is not delivered: the stream ends at the gap", async () => {
      const { inbox, socket, accepted } = await openStream("/batch-gap");
      // msg 1, then msg 3 (2 is missing), then msg 4.
      const batch = [0x03, 0x02, 0x00, 0x01, 0x02, 0x00, 0x03, 0x02, 0x00, 0x04];
      pair.raw(listener.address, replyOf(socket), new Uint8Array(batch));
      await accepted.inbox.nth(1);
      await inbox.nth(0);
      await new Promise((r) => setTimeout(r, 50));
      expect(accepted.inbox.frames.map((f) => f.type)).toEqual(["message", "cancel"]);
      expect(accepted.inbox.frames[1]?.error?.code).toBe(Code.Unavailable);
      expect(inbox.frames.map((f) => f.type)).toEqual(["cancel"]);
      socket.close();
    });

    for (const [what, bytes] of badCompact) {
      it(`a stream frame without header block and a bad preamble (${what}) ends the stream InvalidArgument on both sides`, async () => {
        const { inbox, socket, accepted } = await openStream(`/hostile-${what}`);
        const before = acceptor.accepted.length;
        pair.raw(listener.address, replyOf(socket), new Uint8Array(bytes));
        const client = await inbox.nth(0);
        const server = await accepted.inbox.nth(0);
        expect(client.type).toBe("cancel");
        expect(client.error?.code).toBe(Code.InvalidArgument);
        expect(server.type).toBe("cancel");
        expect(server.error?.code).toBe(Code.InvalidArgument);
        expect(acceptor.accepted).toHaveLength(before);
        socket.close();
      });

      it(`a server's stream frame with a bad preamble (${what}) fails the stream Internal and cancels the server`, async () => {
        const { inbox, socket, accepted } = await openStream(`/hostile-reply-${what}`);
        pair.raw(replyOf(socket), undefined, new Uint8Array(bytes));
        const client = await inbox.nth(0);
        expect(client.type).toBe("cancel");
        expect(client.error?.code).toBe(Code.Internal);
        expect(client.error?.rawMessage).toMatch(/^malformed reply: /);
        const server = await accepted.inbox.nth(0);
        expect(server.type).toBe("cancel");
        expect(server.error?.code).toBe(Code.InvalidArgument);
        socket.close();
      });
    }

    it("a compact frame for a connection the server does not know is answered cancel, never run as a call", async () => {
      const inbox = new Inbox();
      const socket = pair.client.dial(listener.address, inbox);
      const before = acceptor.accepted.length;
      pair.raw(listener.address, replyOf(socket), new Uint8Array([0x00, 0x01, 0x0a, 0x00]));
      const frame = await inbox.nth(0);
      expect(frame.type).toBe("cancel");
      expect(frame.error?.code).toBe(Code.Aborted);
      expect(acceptor.accepted).toHaveLength(before);
      socket.close();
    });

    it("a message without header block off any stream is still a unary call", async () => {
      const inbox = new Inbox();
      const socket = pair.client.dial(listener.address, inbox);
      pair.raw(listener.address, replyOf(socket), enc.encode("plain"));
      const accepted = await waitFor(() =>
        acceptor.accepted.find((a) => a.frame.body && dec.decode(a.frame.body) === "plain"),
      );
      expect(accepted.frame.type).toBe("call");
      expect(accepted.frame.method).toBeUndefined();
      const reply = await inbox.nth(0);
      expect(reply.type).toBe("reply");
      expect(dec.decode(reply.body)).toBe("plain");
      socket.close();
    });

    it("a call marked compact arrives whole: method, timeout, body; with request headers it keeps them", async () => {
      const sent: Frame[] = [
        {
          type: "call",
          method: "/compact-a",
          compact: true,
          timeoutMs: 1234.2,
          body: enc.encode("a"),
        },
        { type: "call", method: "/compact-b", compact: true },
        {
          type: "call",
          method: "/compact-c",
          compact: true,
          headers: { h: "1" },
          body: enc.encode("c"),
        },
      ];
      const inboxes = sent.map((frame) => {
        const inbox = new Inbox();
        pair.client.dial(listener.address, inbox).send(frame);
        return inbox;
      });
      const arrived = await Promise.all(sent.map((f) => acceptedFor(f.method)));
      expect(arrived.map((a) => [a.frame.type, a.frame.timeoutMs, a.frame.headers])).toEqual([
        ["call", 1235, undefined],
        ["call", undefined, undefined],
        ["call", undefined, { h: "1" }],
      ]);
      expect(dec.decode(arrived[0]?.frame.body)).toBe("a");
      expect(arrived[1]?.frame.body ?? new Uint8Array(0)).toHaveLength(0);
      expect(dec.decode(arrived[2]?.frame.body)).toBe("c");
      const replies = await Promise.all(inboxes.map((inbox) => inbox.nth(0)));
      expect(replies.map((r) => r.type)).toEqual(["reply", "reply", "reply"]);
    });

    for (const [what, bytes] of badCompactCalls) {
      it(`a compact call that does not decode (${what}) is answered InvalidArgument and never run`, async () => {
        const inbox = new Inbox();
        const socket = pair.client.dial(listener.address, inbox);
        const before = acceptor.accepted.length;
        const refusals = acceptor.refusals.length;
        pair.raw(listener.address, replyOf(socket), new Uint8Array(bytes));
        const reply = await inbox.nth(0);
        expect(reply.type).toBe("reply");
        expect(reply.error?.code).toBe(Code.InvalidArgument);
        expect(reply.error?.rawMessage).toMatch(/^compact call: /);
        expect(acceptor.accepted).toHaveLength(before);
        expect(acceptor.refusals.length).toBe(refusals + 1);
        socket.close();
      });
    }

    it("frames for a connection the server closed are answered with cancel", async () => {
      const inbox = new Inbox();
      const socket = pair.client.dial(listener.address, inbox);
      socket.send({ type: "open", method: "/bidi" });
      await new Promise((r) => setTimeout(r, 50));
      acceptor.accepted.at(-1)!.socket.close();
      socket.send({ type: "ping" });
      const frame = await inbox.nth(0);
      expect(frame.type).toBe("cancel");
      expect(frame.error?.code).toBe(Code.Aborted);
      socket.close();
    });

    it("a client's cancel frame reaches the server end of the stream", async () => {
      const socket = pair.client.dial(listener.address, new Inbox());
      socket.send({ type: "open", method: "/bidi" });
      socket.send({ type: "cancel" });
      const accepted = await waitFor(() =>
        acceptor.accepted.find(
          (a) => a.frame.method === "/bidi" && a.inbox.frames.some((f) => f.type === "cancel"),
        ),
      );
      expect(accepted.inbox.frames.at(-1)?.type).toBe("cancel");
      socket.close();
    });

    it("frames arriving after the client closed its end are dropped", async () => {
      const inbox = new Inbox();
      const socket = pair.client.dial(listener.address, inbox);
      socket.send({ type: "open", method: "/bidi" });
      const accepted = await waitFor(() =>
        acceptor.accepted.at(-1)?.frame.type === "open" ? acceptor.accepted.at(-1) : undefined,
      );
      socket.close();
      accepted.socket.send({ type: "message", body: enc.encode("late") });
      await new Promise((r) => setTimeout(r, 100));
      expect(inbox.frames).toHaveLength(0);
    });

    it("a frame above maxPayload is refused before sending with ResourceExhausted", () => {
      const socket = pair.client.dial(listener.address, new Inbox());
      const big = new Uint8Array(pair.client.maxPayload + 1);
      let error: unknown;
      try {
        socket.send({ type: "call", method: "/echo", body: big });
      } catch (e) {
        error = e;
      }
      socket.close();
      expect((error as RpcError).code).toBe(Code.ResourceExhausted);
      expect(isUndelivered(error)).toBe(true);
    });

    it("a malformed frame is answered InvalidArgument by the transport, never accepted", async () => {
      const inbox = new Inbox();
      const before = acceptor.accepted.length;
      // Reserved names as user headers: what a hostile peer may put on the wire.
      pair.client
        .dial(listener.address, inbox)
        .send({ type: "call", method: "/echo", headers: { "Pn-Timeout": "soon" } });
      const reply = await inbox.nth(0);
      expect(reply.type).toBe("reply");
      expect(reply.error?.code).toBe(Code.InvalidArgument);
      expect(reply.error?.rawMessage).toMatch(/malformed Pn-Timeout header "soon"/);
      expect(acceptor.accepted).toHaveLength(before);
      expect(acceptor.refusals.at(-1)?.code).toBe(Code.InvalidArgument);
    });

    it("a malformed stream frame is answered with cancel", async () => {
      const inbox = new Inbox();
      pair.client
        .dial(listener.address, inbox)
        .send({ type: "open", method: "/bidi", headers: { "Pn-Window": "-1" } });
      const frame = await inbox.nth(0);
      expect(frame.type).toBe("cancel");
      expect(frame.error?.code).toBe(Code.InvalidArgument);
    });

    it("a header block over the server's limit is refused ResourceExhausted before it is parsed", async () => {
      const inbox = new Inbox();
      const before = acceptor.accepted.length;
      pair.client
        .dial(listener.address, inbox)
        .send({ type: "call", method: "/echo", headers: { padding: "p".repeat(70 * 1024) } });
      const frame = await inbox.nth(0);
      expect(frame.type).toBe("cancel");
      expect(frame.error?.code).toBe(Code.ResourceExhausted);
      expect(frame.error?.rawMessage).toMatch(
        /header block of \d+ bytes exceeds the limit of 65536/,
      );
      expect(acceptor.accepted).toHaveLength(before);
    });

    it("calls from one client share the connection name the server limits streams by", async () => {
      const inboxes = [new Inbox(), new Inbox()];
      const before = acceptor.accepted.length;
      for (const inbox of inboxes) {
        pair.client.dial(listener.address, inbox).send({ type: "call", method: "/echo" });
      }
      for (const inbox of inboxes) await inbox.nth(0);
      const [a, b] = acceptor.accepted.slice(before).map((c) => c.socket.connection);
      expect(a).toBeTypeOf("string");
      expect(a).toBe(b);
    });

    it("after the listener closes, its address has no responders", async () => {
      const other = await pair.server.listen(
        { nodeId: `closing${Date.now()}` },
        new EchoAcceptor(),
      );
      expect(other.address).not.toBe(listener.address);
      await other.close();
      const inbox = new Inbox();
      pair.client.dial(other.address, inbox).send({ type: "call", method: "/echo" });
      const frame = await inbox.nth(0);
      expect(frame.type).toBe("cancel");
      expect(frame.error?.code).toBe(Code.Unavailable);
    });
  });
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 2_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
