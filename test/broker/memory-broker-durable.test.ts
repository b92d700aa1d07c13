import { describe, expect, it } from "vitest";
import type { BrokerMessage } from "../../runtime/broker/broker.js";
import { DeadLetterHeader } from "../../runtime/broker/dead-letter-headers.js";
import { Code } from "../../runtime/errors/code.js";
import { RpcError } from "../../runtime/errors/rpc-error.js";
import { MemoryBroker } from "../../runtime/memory/memory-broker.js";
import { bytes, sleep, text, waitFor } from "./support.js";

const quiet = { logger: { error() {} } };

describe("MemoryBroker durable mode (in-process imitation of JetStream)", () => {
  it("redelivers a failing handler, then dead-letters it with where and why", async () => {
    const broker = new MemoryBroker(quiet);
    const dead: BrokerMessage[] = [];
    await broker.subscribe("pn.dlq.>", (m) => {
      dead.push(m);
    });
    const counts: number[] = [];
    await broker.subscribe(
      "fail.x",
      (m) => {
        counts.push(m.deliveryCount);
        throw new Error("nope");
      },
      { queue: "billing", durable: { stream: "FAIL", maxDeliveries: 3, backoffMs: [5] } },
    );
    await broker.publish("fail.x", bytes("o-1"), { durable: true, headers: { "X-T": "1" } });
    await waitFor(() => dead.length === 1, "the dead letter");
    expect(counts).toEqual([1, 2, 3]);
    const h = dead[0]!.headers;
    expect(dead[0]!.subject).toBe("pn.dlq.FAIL.billing");
    expect(text(dead[0]!.body)).toBe("o-1");
    expect(h[DeadLetterHeader.Subject]).toBe("fail.x");
    expect(h[DeadLetterHeader.Deliveries]).toBe("3");
    expect(decodeURIComponent(h[DeadLetterHeader.Error]!)).toBe("nope");
    expect(h["X-T"]).toBe("1");
    await broker.close();
  });

  it("dead-letters a permanent failure at once and drops duplicate message ids", async () => {
    const broker = new MemoryBroker(quiet);
    const dead: BrokerMessage[] = [];
    await broker.subscribe("pn.dlq.>", (m) => {
      dead.push(m);
    });
    const seen: string[] = [];
    await broker.subscribe(
      "perm.x",
      (m) => {
        seen.push(text(m.body));
        if (text(m.body) === "bad") throw new RpcError(Code.InvalidArgument, "bad event");
      },
      { queue: "q", durable: { stream: "PERM" } },
    );
    await broker.publish("perm.x", bytes("bad"), { durable: true });
    await broker.publish("perm.x", bytes("good"), { durable: true, messageId: "m1" });
    await broker.publish("perm.x", bytes("good"), { durable: true, messageId: "m1" });
    await waitFor(() => dead.length === 1 && seen.length === 2, "one dead letter, two handled");
    await sleep(20);
    expect(seen).toEqual(["bad", "good"]);
    expect(dead[0]!.headers[DeadLetterHeader.Code]).toBe(String(Code.InvalidArgument));
    await broker.close();
  });

  it("shares a named durable consumer among its members, each message to one", async () => {
    const broker = new MemoryBroker(quiet);
    const by = new Map<string, number>();
    const counts = [0, 0, 0];
    for (let i = 0; i < 3; i++) {
      await broker.subscribe(
        "work.x",
        (m) => {
          counts[i]!++;
          by.set(text(m.body), (by.get(text(m.body)) ?? 0) + 1);
        },
        { queue: "workers", durable: { stream: "WORK" } },
      );
    }
    for (let i = 0; i < 30; i++) await broker.publish("work.x", bytes(`${i}`), { durable: true });
    await waitFor(() => by.size === 30, "every message");
    expect([...by.values()].every((n) => n === 1)).toBe(true);
    expect(counts).toEqual([10, 10, 10]);
    await broker.close();
  });
});
