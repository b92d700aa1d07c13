import { describe, expect, it } from "vitest";
import type { Broker, BrokerMessage } from "../../runtime/broker/broker.js";
import type { BrokerLogger } from "../../runtime/broker/report.js";
import { Code } from "../../runtime/errors/code.js";
import { RpcError } from "../../runtime/errors/rpc-error.js";
import { bytes, recordingLogger, sleep, text, waitFor } from "./support.js";

/** Brokers for one contract test: NATS ones use one connection per broker. */
export interface BrokerFixture {
  /** A broker publishers use. */
  publisher(): Promise<Broker>;
  /** Another broker (another connection, for NATS) for a subscriber. */
  subscriber(options?: { logger?: BrokerLogger }): Promise<Broker>;
  /** Lets everything published so far reach the subscribers' side. */
  settle(): Promise<void>;
}

/**
 * The behaviour every Broker implementation must have (core delivery).
 * `setup` is called in each test; the caller tears its resources down.
 */
export function brokerContract(name: string, fixture: () => BrokerFixture): void {
  describe(`${name}: broker contract`, () => {
    it("delivers the body, subject and headers of a publish", async () => {
      const f = fixture();
      const [pub, sub] = [await f.publisher(), await f.subscriber()];
      const got: BrokerMessage[] = [];
      await sub.subscribe("contract.basic", (m) => {
        got.push(m);
      });
      await pub.publish("contract.basic", bytes("hello"), {
        headers: { "X-Trace": "abc", "Pn-Custom": "v 1" },
      });
      await waitFor(() => got.length === 1, "the message");
      const m = got[0]!;
      expect(m.subject).toBe("contract.basic");
      expect(text(m.body)).toBe("hello");
      expect(m.headers["X-Trace"]).toBe("abc");
      expect(m.headers["Pn-Custom"]).toBe("v 1");
      expect(m.deliveryCount).toBe(1);
    });

    it("sends a frozen header record reused across publishes, and alternating blocks apart", async () => {
      const f = fixture();
      const [pub, sub] = [await f.publisher(), await f.subscriber()];
      const got: BrokerMessage[] = [];
      await sub.subscribe("contract.frozen", (m) => {
        got.push(m);
      });
      // Typed events publish one frozen record per event type (encoded once by the NATS broker).
      const a = Object.freeze({ "Pn-Event-Type": "test.v1.A" });
      const b = Object.freeze({ "Pn-Event-Type": "test.v1.B", "X-Extra": "x y" });
      for (const headers of [a, a, b, a, {}]) {
        await pub.publish("contract.frozen", bytes("e"), { headers });
      }
      await waitFor(() => got.length === 5, "5 messages");
      expect(got.map((m) => m.headers["Pn-Event-Type"])).toEqual([
        "test.v1.A",
        "test.v1.A",
        "test.v1.B",
        "test.v1.A",
        undefined,
      ]);
      expect(got[2]!.headers["X-Extra"]).toBe("x y");
      expect(got[3]!.headers["X-Extra"]).toBeUndefined();
    });

    it("matches * to one token and > to all remaining tokens", async () => {
      const f = fixture();
      const [pub, sub] = [await f.publisher(), await f.subscriber()];
      const star: string[] = [];
      const tail: string[] = [];
      await sub.subscribe("wild.*.placed", (m) => {
        star.push(m.subject);
      });
      await sub.subscribe("wild.>", (m) => {
        tail.push(m.subject);
      });
      for (const s of ["wild.eu.placed", "wild.us.placed", "wild.eu.shipped", "wild.eu.x.placed"]) {
        await pub.publish(s, bytes(s));
      }
      await waitFor(() => tail.length === 4, "4 messages on wild.>");
      await f.settle();
      expect(star.sort()).toEqual(["wild.eu.placed", "wild.us.placed"]);
      expect(tail.sort()).toEqual([
        "wild.eu.placed",
        "wild.eu.shipped",
        "wild.eu.x.placed",
        "wild.us.placed",
      ]);
    });

    it("gives each message to exactly one member of a queue group of 3, sharing the load", async () => {
      const f = fixture();
      const pub = await f.publisher();
      const counts = [0, 0, 0];
      const seen = new Map<string, number>();
      for (let i = 0; i < 3; i++) {
        const member = await f.subscriber();
        await member.subscribe(
          "contract.queue",
          (m) => {
            counts[i]!++;
            seen.set(text(m.body), (seen.get(text(m.body)) ?? 0) + 1);
          },
          { queue: "workers" },
        );
      }
      const everyone: string[] = [];
      const observer = await f.subscriber();
      await observer.subscribe("contract.queue", (m) => {
        everyone.push(text(m.body));
      });
      const total = 90;
      for (let i = 0; i < total; i++) await pub.publish("contract.queue", bytes(`m${i}`));
      await waitFor(() => everyone.length === total, "the observer to get all messages");
      await waitFor(() => seen.size === total, "every message processed by the group");
      await f.settle();
      expect([...seen.values()].every((n) => n === 1)).toBe(true);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(total);
      // Each member takes a share: none idle (random choice makes an idle member ~1e-15 likely).
      for (const c of counts) expect(c).toBeGreaterThan(0);
    });

    it("reports a handler that throws or rejects and keeps the subscription alive", async () => {
      const f = fixture();
      const [pub, sub] = [await f.publisher(), await f.subscriber()];
      const errors: { error: unknown; subject: string }[] = [];
      const handled: string[] = [];
      await sub.subscribe(
        "contract.fail.*",
        async (m) => {
          const kind = m.subject.split(".")[2];
          if (kind === "throw") throw new Error("sync boom");
          if (kind === "reject") {
            await sleep(1);
            throw new RpcError(Code.Internal, "async boom");
          }
          handled.push(m.subject);
        },
        { onError: (error, m) => errors.push({ error, subject: m.subject }) },
      );
      for (const kind of ["throw", "ok", "reject", "ok"]) {
        await pub.publish(`contract.fail.${kind}`, bytes(kind));
      }
      await waitFor(() => handled.length === 2 && errors.length === 2, "2 handled, 2 failed");
      expect(errors.map((e) => e.subject).sort()).toEqual([
        "contract.fail.reject",
        "contract.fail.throw",
      ]);
      expect(errors.map((e) => (e.error as Error).message).sort()).toEqual([
        "[internal] async boom",
        "sync boom",
      ]);
    });

    it("logs failures when the subscription has no onError", async () => {
      const f = fixture();
      const logger = recordingLogger();
      const [pub, sub] = [await f.publisher(), await f.subscriber({ logger })];
      let after = 0;
      await sub.subscribe("contract.log", (m) => {
        if (text(m.body) === "bad") throw new Error("unlogged?");
        after++;
      });
      await pub.publish("contract.log", bytes("bad"));
      await pub.publish("contract.log", bytes("good"));
      await waitFor(() => after === 1 && logger.lines.length === 1, "one failure logged");
      expect(logger.lines[0]!.message).toContain("contract.log");
      expect((logger.lines[0]!.error as Error).message).toBe("unlogged?");
    });

    it("unsubscribe waits for handlers in progress, then nothing more is delivered", async () => {
      const f = fixture();
      const [pub, sub] = [await f.publisher(), await f.subscriber()];
      let started = 0;
      let finished = 0;
      const subscription = await sub.subscribe("contract.unsub", async () => {
        started++;
        await sleep(150);
        finished++;
      });
      await pub.publish("contract.unsub", bytes("1"));
      await waitFor(() => started === 1, "the handler to start");
      await subscription.unsubscribe();
      expect(finished).toBe(1);
      await pub.publish("contract.unsub", bytes("2"));
      await f.settle();
      await sleep(100);
      expect(started).toBe(1);
    });

    it("close() ends every subscription of the broker", async () => {
      const f = fixture();
      const [pub, sub] = [await f.publisher(), await f.subscriber()];
      let got = 0;
      await sub.subscribe("contract.close.a", () => {
        got++;
      });
      await sub.subscribe("contract.close.b", () => {
        got++;
      });
      await sub.close();
      await pub.publish("contract.close.a", bytes("x"));
      await pub.publish("contract.close.b", bytes("x"));
      await f.settle();
      await sleep(100);
      expect(got).toBe(0);
    });

    it("rejects malformed subjects with InvalidArgument", async () => {
      const f = fixture();
      const pub = await f.publisher();
      for (const bad of ["", "a..b", "a.*", "a.>", "a b", ".a", "a.>.b"]) {
        await expect(pub.publish(bad, bytes("x"))).rejects.toMatchObject({
          code: Code.InvalidArgument,
        });
      }
      await expect(pub.subscribe("a.>.b", () => {})).rejects.toMatchObject({
        code: Code.InvalidArgument,
      });
    });
  });
}
