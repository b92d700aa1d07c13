import { describe, expect, it } from "vitest";
import { DeadlineWheel, type Expirable } from "../../runtime/call/deadline-wheel.js";
import { InboundQueue, SendCredit } from "../../runtime/call/flow-control.js";
import { Code } from "../../runtime/errors/code.js";
import { RpcError } from "../../runtime/errors/rpc-error.js";
import { sleep } from "./support/greeter.js";

class Item implements Expirable {
  wheelSlot = -1;
  expiredAt: number | undefined;
  constructor(readonly deadline: number) {}
  expire(): void {
    this.expiredAt = Date.now();
  }
}

describe("the deadline wheel", () => {
  it("expires items at (never before) their deadline, and removed items never", async () => {
    const wheel = new DeadlineWheel();
    const now = Date.now();
    const items = Array.from({ length: 100 }, (_, i) => new Item(now + 20 + (i % 10) * 5));
    for (const item of items) wheel.add(item, item.deadline);
    const removed = items.filter((_, i) => i % 2 === 0);
    for (const item of removed) wheel.remove(item);
    await sleep(200);
    for (const item of removed) expect(item.expiredAt).toBeUndefined();
    for (const item of items.filter((_, i) => i % 2 === 1)) {
      expect(item.expiredAt).toBeGreaterThanOrEqual(item.deadline);
      expect(item.expiredAt! - item.deadline).toBeLessThan(150);
      expect(item.wheelSlot).toBe(-1);
    }
  });

  it("moves an item that is added again", async () => {
    const wheel = new DeadlineWheel();
    const item = new Item(Date.now() + 20);
    wheel.add(item, item.deadline);
    wheel.add(item, Date.now() + 10_000);
    await sleep(80);
    expect(item.expiredAt).toBeUndefined();
    wheel.remove(item);
  });
});

describe("credit flow control", () => {
  it("grants credit back as the consumer takes messages, in half-window batches", async () => {
    const grants: number[] = [];
    const queue = new InboundQueue<number>(4, { grant: (n) => grants.push(n), consumerGone() {} });
    for (let i = 0; i < 4; i++) expect(queue.push(i)).toBe(true);
    expect(queue.push(99)).toBe(false); // beyond the window: a protocol violation
    expect((await queue.next()).value).toBe(0);
    expect(grants).toEqual([]);
    expect((await queue.next()).value).toBe(1);
    expect(grants).toEqual([2]);
    queue.end();
    expect((await queue.next()).value).toBe(2);
    expect((await queue.next()).value).toBe(3);
    expect((await queue.next()).done).toBe(true);
  });

  it("a producer waits for credit and fails when the stream ends", async () => {
    const credit = new SendCredit();
    credit.add(1);
    expect(credit.acquire()).toBeUndefined();
    let got = false;
    const waiting = credit.acquire()!.then(() => (got = true));
    await sleep(10);
    expect(got).toBe(false);
    credit.add(1);
    await waiting;
    expect(got).toBe(true);
    const blocked = credit.acquire()!;
    credit.fail(new RpcError(Code.Unavailable, "gone"));
    await expect(blocked).rejects.toThrow("gone");
  });
});
