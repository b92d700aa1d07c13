import { jetstreamManager } from "@nats-io/jetstream";
import type { Msg, NatsConnection } from "@nats-io/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import type { BrokerMessage } from "../../runtime/broker/broker.js";
import { DeadLetterHeader } from "../../runtime/broker/dead-letter-headers.js";
import { Code } from "../../runtime/errors/code.js";
import { RpcError } from "../../runtime/errors/rpc-error.js";
import { NatsBroker, type NatsBrokerOptions } from "../../runtime/nats/broker/nats-broker.js";
import { setNatsInternals } from "../../runtime/nats/nats-internals.js";
import { startNatsServer } from "../harness/nats-server.js";
import { connectionsPerTest } from "../support/connections-per-test.js";
import { bytes, recordingLogger, sleep, text, waitFor } from "./support.js";

const nats = connectionsPerTest({ jetstream: true });
const brokers: NatsBroker[] = [];

afterEach(async () => {
  await Promise.all(brokers.splice(0).map((b) => b.close()));
});

async function broker(options: NatsBrokerOptions = {}): Promise<NatsBroker> {
  const b = new NatsBroker(await nats.connect(), { logger: recordingLogger(), ...options });
  brokers.push(b);
  return b;
}

/** Core subscription on a subject, collecting raw messages (to observe dead letters). */
async function watch(subject: string): Promise<Msg[]> {
  const nc = await nats.connect();
  const got: Msg[] = [];
  nc.subscribe(subject, {
    callback: (_e, m) => {
      got.push(m);
    },
  });
  await nc.flush();
  return got;
}

/** Resolves when the connection has reconnected after a server loss. */
async function reconnect(nc: NatsConnection): Promise<void> {
  for await (const status of nc.status()) if (status.type === "reconnect") return;
}

async function streamInfo(stream: string) {
  const jsm = await jetstreamManager(await nats.connect());
  return jsm.streams.info(stream);
}

const durable = (stream: string, publishSubject?: string) => ({
  durable: true,
  stream,
  ...(publishSubject ? { streamSubject: publishSubject } : {}),
});

describe("NatsBroker durable mode (JetStream)", () => {
  it("delivers to a subscriber that was down every event published meanwhile, once", async () => {
    const pub = await broker();
    const first = await broker();
    const seen: string[] = [];
    const handler = (m: BrokerMessage) => {
      seen.push(text(m.body));
    };
    const options = { queue: "billing", durable: { stream: "DOWN", streamSubject: "down.>" } };
    const s1 = await first.subscribe("down.>", handler, options);
    await pub.publish("down.a", bytes("before"), durable("DOWN", "down.>"));
    await waitFor(() => seen.length === 1, "the first event");
    await s1.unsubscribe();

    for (let i = 0; i < 20; i++) {
      await pub.publish(
        `down.${i % 2 ? "eu" : "us"}`,
        bytes(`while-down-${i}`),
        durable("DOWN", "down.>"),
      );
    }
    await sleep(100);
    expect(seen).toHaveLength(1);

    const second = await broker();
    await second.subscribe("down.>", handler, options);
    await waitFor(() => seen.length === 21, "all 20 events published while down");
    await sleep(200);
    expect(seen.slice(1)).toEqual(Array.from({ length: 20 }, (_, i) => `while-down-${i}`));
  });

  it("stores events published before any consumer existed (the publish ensures the stream)", async () => {
    const pub = await broker();
    for (let i = 0; i < 5; i++)
      await pub.publish("early.x", bytes(`e${i}`), durable("EARLY", "early.*"));
    expect((await streamInfo("EARLY")).config.subjects).toEqual(["early.*"]);
    const got: string[] = [];
    await (await broker()).subscribe(
      "early.*",
      (m) => {
        got.push(text(m.body));
      },
      { queue: "late", durable: { stream: "EARLY" } },
    );
    await waitFor(() => got.length === 5, "the 5 stored events");
  });

  it("redelivers a failing handler with backoff, then dead-letters it with where and why", async () => {
    const pub = await broker();
    const sub = await broker();
    const dead = await watch("pn.dlq.>");
    const deliveries: { count: number; at: number }[] = [];
    const reported: unknown[] = [];
    await sub.subscribe(
      "fail.order",
      (m) => {
        deliveries.push({ count: m.deliveryCount, at: Date.now() });
        throw new Error(`cannot bill ${text(m.body)}`);
      },
      {
        queue: "billing",
        onError: (e) => reported.push(e),
        durable: { stream: "FAIL", maxDeliveries: 3, backoffMs: [100, 200] },
      },
    );
    await pub.publish("fail.order", bytes("o-1"), {
      ...durable("FAIL"),
      headers: { "X-Tenant": "acme" },
    });
    await waitFor(() => dead.length === 1, "the dead letter");
    expect(deliveries.map((d) => d.count)).toEqual([1, 2, 3]);
    // Backoff: the redeliveries waited (loosely) for the configured delays.
    expect(deliveries[1]!.at - deliveries[0]!.at).toBeGreaterThanOrEqual(80);
    expect(deliveries[2]!.at - deliveries[1]!.at).toBeGreaterThanOrEqual(160);
    expect(reported).toHaveLength(3);

    const letter = dead[0]!;
    expect(letter.subject).toBe("pn.dlq.FAIL.billing");
    expect(text(letter.data)).toBe("o-1");
    const h = letter.headers!;
    expect(h.get(DeadLetterHeader.Subject)).toBe("fail.order");
    expect(h.get(DeadLetterHeader.Stream)).toBe("FAIL");
    expect(h.get(DeadLetterHeader.Sequence)).toBe("1");
    expect(h.get(DeadLetterHeader.Consumer)).toBe("billing");
    expect(h.get(DeadLetterHeader.Deliveries)).toBe("3");
    expect(h.get(DeadLetterHeader.Code)).toBe(String(Code.Unknown));
    expect(decodeURIComponent(h.get(DeadLetterHeader.Error))).toBe("cannot bill o-1");
    expect(h.get("X-Tenant")).toBe("acme");

    // Stored in the dead-letter stream, and the original is settled: no more deliveries.
    expect((await streamInfo("PN_DLQ")).state.messages).toBeGreaterThanOrEqual(1);
    await sleep(400);
    expect(deliveries).toHaveLength(3);
    const jsm = await jetstreamManager(await nats.connect());
    const consumer = await jsm.consumers.info("FAIL", "billing");
    expect(consumer.num_ack_pending).toBe(0);
    expect(consumer.num_pending).toBe(0);
  });

  it("dead-letters, without running it again, a message whose handlers kept missing the ack wait", async () => {
    const pub = await broker();
    const dead = await watch("pn.dlq.SLOW.>");
    const runs: number[] = [];
    await (await broker()).subscribe(
      "slow.x",
      async (m) => {
        runs.push(m.deliveryCount);
        await sleep(900);
      },
      { queue: "q", durable: { stream: "SLOW", maxDeliveries: 2, ackWaitMs: 300 } },
    );
    await pub.publish("slow.x", bytes("s"), durable("SLOW"));
    await waitFor(() => dead.length === 1, "the dead letter");
    expect(runs).toEqual([1, 2]);
    expect(dead[0]!.headers!.get(DeadLetterHeader.Code)).toBe(String(Code.DeadlineExceeded));
    expect(dead[0]!.headers!.get(DeadLetterHeader.Deliveries)).toBe("3");
  });

  it("dead-letters a permanent failure (InvalidArgument) on its first delivery", async () => {
    const pub = await broker();
    const dead = await watch("pn.dlq.PERM.>");
    let runs = 0;
    await (await broker()).subscribe(
      "perm.x",
      () => {
        runs++;
        throw new RpcError(Code.InvalidArgument, "not an order");
      },
      { queue: "q", durable: { stream: "PERM", maxDeliveries: 5, backoffMs: [50] } },
    );
    await pub.publish("perm.x", bytes("junk"), durable("PERM"));
    await waitFor(() => dead.length === 1, "the dead letter");
    await sleep(200);
    expect(runs).toBe(1);
    expect(dead[0]!.headers!.get(DeadLetterHeader.Code)).toBe(String(Code.InvalidArgument));
    expect(dead[0]!.headers!.get(DeadLetterHeader.Deliveries)).toBe("1");
  });

  it("stores a duplicate publish (same messageId) once", async () => {
    const pub = await broker();
    const got: string[] = [];
    await (await broker()).subscribe(
      "dedupe.x",
      (m) => {
        got.push(text(m.body));
      },
      { queue: "q", durable: { stream: "DEDUPE" } },
    );
    for (let i = 0; i < 3; i++) {
      await pub.publish("dedupe.x", bytes(`try-${i}`), {
        ...durable("DEDUPE"),
        messageId: "order-42",
      });
    }
    await pub.publish("dedupe.x", bytes("other"), { ...durable("DEDUPE"), messageId: "order-43" });
    await waitFor(() => got.length === 2, "two distinct events");
    await sleep(200);
    expect(got).toEqual(["try-0", "other"]);
    expect((await streamInfo("DEDUPE")).state.messages).toBe(2);
  });

  for (const internals of [true, false]) {
    it(`stores a frozen header record with the message id, deduplicated as without, internals ${internals ? "on" : "off"}`, async () => {
      setNatsInternals(internals);
      try {
        const pub = await broker();
        const got: BrokerMessage[] = [];
        const subject = `frozen${internals ? 1 : 0}.x`;
        await (await broker()).subscribe(subject, (m) => void got.push(m), {
          queue: "q",
          durable: { stream: `FROZEN${internals ? 1 : 0}` },
        });
        const headers = Object.freeze({ "Pn-Event-Type": "test.v1.A" });
        const options = { ...durable(`FROZEN${internals ? 1 : 0}`), headers };
        for (let i = 0; i < 2; i++) {
          await pub.publish(subject, bytes(`a-${i}`), { ...options, messageId: "id-1" });
        }
        await pub.publish(subject, bytes("b"), { ...options, messageId: "id-2" });
        // An id nats.js would change (it trims values) goes the nats.js way: the same id.
        await pub.publish(subject, bytes("c"), { ...options, messageId: " id-2 " });
        // One no header can carry is refused, as before.
        const refused = await pub
          .publish(subject, bytes("d"), { ...options, messageId: "id\r\n3" })
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(refused).toBeInstanceOf(RpcError);
        // Without a message id, each publish gets a fresh one.
        await pub.publish(subject, bytes("e"), options);
        await pub.publish(subject, bytes("e"), options);
        await waitFor(() => got.length === 4, "four distinct events");
        await sleep(200);
        expect(got.map((m) => text(m.body))).toEqual(["a-0", "b", "e", "e"]);
        for (const m of got) {
          expect(m.headers["Pn-Event-Type"]).toBe("test.v1.A");
          expect(m.headers["Nats-Msg-Id"]).toMatch(/^(id-1|id-2|[0-9A-Za-z]{22})$/);
        }
      } finally {
        setNatsInternals(true);
      }
    });
  }

  it("shares one durable consumer among a queue group of 3, no event processed twice", async () => {
    const pub = await broker();
    const processedBy = new Map<string, number[]>();
    const counts = [0, 0, 0];
    for (let i = 0; i < 3; i++) {
      await (await broker()).subscribe(
        "shared.work",
        async (m) => {
          counts[i]!++;
          const key = text(m.body);
          processedBy.set(key, [...(processedBy.get(key) ?? []), i]);
          await sleep(2);
        },
        { queue: "workers", durable: { stream: "SHARED" } },
      );
    }
    const total = 150;
    await Promise.all(
      Array.from({ length: total }, (_, i) =>
        pub.publish("shared.work", bytes(`w${i}`), durable("SHARED")),
      ),
    );
    await waitFor(() => processedBy.size === total, "every event processed", 15_000);
    await sleep(300);
    expect([...processedBy.values()].filter((by) => by.length > 1)).toEqual([]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(total);
    for (const c of counts) expect(c).toBeGreaterThan(0);
    const jsm = await jetstreamManager(await nats.connect());
    expect((await jsm.consumers.list("SHARED").next()).map((c) => c.name)).toEqual(["workers"]);
  });

  it("extends an existing stream to a new subject, and fails clearly on overlap", async () => {
    const jsm = await jetstreamManager(await nats.connect());
    await jsm.streams.add({ name: "EXT", subjects: ["ext.one"] });
    const pub = await broker();
    await pub.publish("ext.two", bytes("x"), durable("EXT"));
    expect((await streamInfo("EXT")).config.subjects).toEqual(["ext.one", "ext.two"]);

    await jsm.streams.add({ name: "OWNER", subjects: ["taken.>"] });
    await expect(pub.publish("taken.x", bytes("x"), durable("THIEF"))).rejects.toMatchObject({
      code: Code.FailedPrecondition,
    });
    await expect(
      pub.subscribe("taken.x", () => {}, { queue: "q", durable: { stream: "THIEF" } }),
    ).rejects.toMatchObject({ code: Code.FailedPrecondition });
  });

  it("refuses to join a durable consumer that filters another subject", async () => {
    const a = await broker();
    await a.subscribe("clash.a", () => {}, {
      queue: "same",
      durable: { stream: "CLASH", streamSubject: "clash.*" },
    });
    await expect(
      a.subscribe("clash.b", () => {}, {
        queue: "same",
        durable: { stream: "CLASH", streamSubject: "clash.*" },
      }),
    ).rejects.toMatchObject({ code: Code.FailedPrecondition });
  });

  it("gives an unnamed durable subscription an ephemeral consumer, removed on unsubscribe", async () => {
    const pub = await broker();
    const got: string[] = [];
    const sub = await (await broker()).subscribe(
      "eph.x",
      (m) => {
        got.push(text(m.body));
      },
      { durable: { stream: "EPH" } },
    );
    await pub.publish("eph.x", bytes("1"), durable("EPH"));
    await waitFor(() => got.length === 1, "the event");
    const jsm = await jetstreamManager(await nats.connect());
    expect((await jsm.consumers.list("EPH").next()).length).toBe(1);
    await sub.unsubscribe();
    expect((await jsm.consumers.list("EPH").next()).length).toBe(0);
  });

  it("namespaces streams, subjects and dead letters", async () => {
    const pub = await broker({ namespace: "stage" });
    const dead = await watch("stage.pn.dlq.>");
    const got: string[] = [];
    await (await broker({ namespace: "stage" })).subscribe(
      "ns.x",
      (m) => {
        got.push(m.subject);
        throw new RpcError(Code.InvalidArgument, "bad");
      },
      { queue: "q", durable: { stream: "NSS" } },
    );
    await pub.publish("ns.x", bytes("1"), durable("NSS"));
    await waitFor(() => dead.length === 1, "the namespaced dead letter");
    expect(got).toEqual(["ns.x"]);
    expect(dead[0]!.subject).toBe("stage.pn.dlq.NSS.q");
    expect((await streamInfo("stage_NSS")).config.subjects).toEqual(["stage.ns.x"]);
    expect((await streamInfo("stage_PN_DLQ")).config.subjects).toEqual(["stage.pn.dlq.>"]);
  });

  it("keeps consuming after the server restarts", async () => {
    const own = await startNatsServer({ jetstream: true });
    try {
      const options = { reconnectTimeWait: 50, maxReconnectAttempts: -1 };
      const pubNc = await nats.connect(own.url, options);
      const subNc = await nats.connect(own.url, options);
      const pub = new NatsBroker(pubNc, {});
      const sub = new NatsBroker(subNc, {});
      brokers.push(pub, sub);
      const got: string[] = [];
      await sub.subscribe(
        "restart.x",
        (m) => {
          got.push(text(m.body));
        },
        { queue: "q", durable: { stream: "RESTART" } },
      );
      await pub.publish("restart.x", bytes("before"), durable("RESTART"));
      await waitFor(() => got.length === 1, "the event before the restart");
      const reconnected = Promise.all([pubNc, subNc].map(reconnect));
      await own.kill();
      await own.restart();
      await reconnected;
      // Publishing right after the restart may meet JetStream still recovering: retry like a caller would.
      for (let attempt = 0; got.length < 2 && attempt < 40; attempt++) {
        try {
          await pub.publish("restart.x", bytes("after"), {
            ...durable("RESTART"),
            messageId: "after",
          });
          await waitFor(() => got.length === 2, "the event after the restart", 1_000);
        } catch {
          await sleep(250);
        }
      }
      expect(got).toEqual(["before", "after"]);
    } finally {
      await own.stop();
    }
  });

  it("fails a durable publish with Unavailable when the server has no JetStream", async () => {
    const plain = await startNatsServer();
    try {
      const b = new NatsBroker(await nats.connect(plain.url), {});
      await expect(b.publish("nojs.x", bytes("x"), durable("NOJS"))).rejects.toMatchObject({
        code: Code.Unavailable,
      });
      await expect(
        b.subscribe("nojs.x", () => {}, { queue: "q", durable: { stream: "NOJS" } }),
      ).rejects.toMatchObject({ code: Code.Unavailable });
    } finally {
      await plain.stop();
    }
  });
});
