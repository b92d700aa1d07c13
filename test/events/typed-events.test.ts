import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { headers, type Msg, type NatsConnection } from "@nats-io/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import {
  OrderPlacedEvent,
  OrderShippedEvent,
} from "../../generated/example/orders/v1/orders_nats.js";
import {
  OrderPlacedSchema,
  OrderShippedSchema,
} from "../../generated/example/orders/v1/orders_pb.js";
import type { Broker, BrokerSubscription } from "../../runtime/broker/broker.js";
import { DeadLetterHeader } from "../../runtime/broker/dead-letter-headers.js";
import { Code } from "../../runtime/errors/code.js";
import { RpcError } from "../../runtime/errors/rpc-error.js";
import { defineEvent } from "../../runtime/events/define-event.js";
import type { EventContext } from "../../runtime/events/event-types.js";
import { MemoryBroker } from "../../runtime/memory/memory-broker.js";
import { MemoryRegistry } from "../../runtime/memory/memory-registry.js";
import { MemoryTransport } from "../../runtime/memory/memory-transport.js";
import type { Runtime, RuntimeLike } from "../../runtime/runtime.js";
import { sleep, waitFor } from "../broker/support.js";
import { connectionsPerTest } from "../support/connections-per-test.js";

const nats = connectionsPerTest({ jetstream: true });
const subscriptions: BrokerSubscription[] = [];

afterEach(async () => {
  await Promise.all(subscriptions.splice(0).map((s) => s.unsubscribe()));
});

/** Two sides of an event flow: `a` publishes, `b()` gives each subscriber its own runtime. */
interface Sides {
  a: RuntimeLike;
  b(): Promise<RuntimeLike>;
  /** Publishes raw bytes (to feed subscribers what a foreign publisher might send). */
  raw(subject: string, body: Uint8Array, headers?: Record<string, string>): Promise<void>;
}

function memorySides(): Sides {
  const broker: Broker = new MemoryBroker({ logger: { error() {} } });
  const runtime: Runtime = {
    broker,
    transport: new MemoryTransport(),
    registry: new MemoryRegistry(),
  };
  return {
    a: runtime,
    b: async () => runtime,
    raw: (subject, body, h) => broker.publish(subject, body, h ? { headers: h } : {}),
  };
}

async function natsSides(): Promise<Sides> {
  const a = await nats.connect();
  return {
    a,
    b: () => nats.connect(),
    raw: async (subject, body, h) => {
      const mh = headers();
      for (const [k, v] of Object.entries(h ?? {})) mh.set(k, v);
      a.publish(subject, body, { headers: mh });
      await a.flush();
    },
  };
}

const track = (s: BrokerSubscription) => {
  subscriptions.push(s);
  return s;
};

describe.each([
  ["memory runtime", async () => memorySides()],
  ["NATS connection", natsSides],
])("typed events on a %s", (_name, sides) => {
  it("publishes and receives a typed event with its context", async () => {
    const { a, b } = await sides();
    const got: { id: string; region: string; context: EventContext }[] = [];
    track(
      await OrderPlacedEvent.subscribe(
        await b(),
        (event, context) => {
          got.push({ id: event.order?.id ?? "", region: event.region, context });
        },
        { queue: "" },
      ),
    );
    await OrderPlacedEvent.publish(
      a,
      { region: "eu", order: { id: "o-1", totalCents: 1200n } },
      { headers: { "X-Request-Id": "r-9" } },
    );
    await waitFor(() => got.length === 1, "the event");
    const [e] = got;
    expect(e!.id).toBe("o-1");
    expect(e!.region).toBe("eu");
    expect(e!.context.subject).toBe("orders.eu.placed");
    expect(e!.context.tokens).toEqual({ region: "eu" });
    expect(e!.context.deliveryCount).toBe(1);
    expect(e!.context.headers["Pn-Event-Type"]).toBe("example.orders.v1.OrderPlaced");
    expect(e!.context.headers["X-Request-Id"]).toBe("r-9");
  });

  it("subscribes to chosen tokens only, the others matching anything", async () => {
    const { a, b } = await sides();
    const eu: string[] = [];
    const all: string[] = [];
    track(
      await OrderPlacedEvent.subscribe(await b(), (e) => void eu.push(e.order?.id ?? ""), {
        queue: "",
        tokens: { region: "eu" },
      }),
    );
    track(
      await OrderPlacedEvent.subscribe(await b(), (e) => void all.push(e.order?.id ?? ""), {
        queue: "",
      }),
    );
    for (const [id, region] of [
      ["1", "eu"],
      ["2", "us"],
      ["3", "eu"],
    ] as const) {
      await OrderPlacedEvent.publish(a, { region, order: { id } });
    }
    await waitFor(() => all.length === 3, "all events");
    await sleep(50);
    expect(eu).toEqual(["1", "3"]);
    expect(OrderPlacedEvent.pattern({ region: "eu" })).toBe("orders.eu.placed");
    expect(OrderPlacedEvent.subjectFor({ region: "us" })).toBe("orders.us.placed");
  });

  it("shares events among subscribers of the event's default queue", async () => {
    const { a, b } = await sides();
    const counts = [0, 0, 0];
    const seen = new Map<string, number>();
    for (let i = 0; i < 3; i++) {
      track(
        await OrderPlacedEvent.subscribe(await b(), (e) => {
          counts[i]!++;
          const id = e.order?.id ?? "";
          seen.set(id, (seen.get(id) ?? 0) + 1);
        }),
      );
    }
    for (let i = 0; i < 60; i++)
      await OrderPlacedEvent.publish(a, { region: "eu", order: { id: `${i}` } });
    await waitFor(() => seen.size === 60, "every event handled");
    await sleep(50);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    for (const c of counts) expect(c).toBeGreaterThan(0);
  });

  it("reports a body of another type or malformed protobuf as InvalidArgument, and goes on", async () => {
    const { a, b, raw } = await sides();
    const errors: unknown[] = [];
    const ids: string[] = [];
    track(
      await OrderPlacedEvent.subscribe(await b(), (e) => void ids.push(e.order?.id ?? ""), {
        queue: "",
        onError: (error) => errors.push(error),
      }),
    );
    await raw("orders.eu.placed", new Uint8Array([1, 2, 3]), {
      "Pn-Event-Type": "example.orders.v1.OrderShipped",
    });
    await raw("orders.eu.placed", new Uint8Array([0x0a, 0xff, 0xff, 0xff]));
    await OrderPlacedEvent.publish(a, { region: "eu", order: { id: "fine" } });
    await waitFor(() => errors.length === 2 && ids.length === 1, "2 errors and 1 event");
    expect(ids).toEqual(["fine"]);
    for (const error of errors) {
      expect(error).toBeInstanceOf(RpcError);
      expect((error as RpcError).code).toBe(Code.InvalidArgument);
    }
    expect((errors[0] as RpcError).message).toContain("got example.orders.v1.OrderShipped");
    expect((errors[1] as RpcError).message).toContain("malformed example.orders.v1.OrderPlaced");
  });

  it("refuses to publish an event whose field cannot fill the subject", async () => {
    const { a } = await sides();
    for (const region of ["", "eu.west", "*"]) {
      await expect(OrderPlacedEvent.publish(a, { region })).rejects.toMatchObject({
        code: Code.InvalidArgument,
      });
    }
  });

  it("rejects a subscription on a token the subject does not have", async () => {
    const { b } = await sides();
    await expect(
      OrderPlacedEvent.subscribe(await b(), () => {}, { tokens: { country: "fr" } }),
    ).rejects.toMatchObject({ code: Code.InvalidArgument });
  });

  it("hands a durable event published while the consumer was down to it when it is back", async () => {
    const { a, b } = await sides();
    const got: string[] = [];
    const handler = (e: { orderId: string }) => {
      got.push(e.orderId);
    };
    const first = await OrderShippedEvent.subscribe(await b(), handler, { queue: "billing" });
    await first.unsubscribe();
    for (let i = 0; i < 5; i++) {
      await OrderShippedEvent.publish(a, { region: "eu", orderId: `s${i}`, carrier: "ups" });
    }
    track(await OrderShippedEvent.subscribe(await b(), handler, { queue: "billing" }));
    await waitFor(() => got.length === 5, "the 5 events published while down");
    expect(got).toEqual(["s0", "s1", "s2", "s3", "s4"]);
  });
});

describe("durable typed events on JetStream", () => {
  async function watch(nc: NatsConnection, subject: string): Promise<Msg[]> {
    const got: Msg[] = [];
    nc.subscribe(subject, { callback: (_e, m) => void got.push(m) });
    await nc.flush();
    return got;
  }

  it("stores OrderShipped in the ORDERS stream over every region, with dedupe by messageId", async () => {
    const nc = await nats.connect();
    await OrderShippedEvent.publish(nc, { region: "eu", orderId: "d1" }, { messageId: "ship-d1" });
    await OrderShippedEvent.publish(nc, { region: "eu", orderId: "d1" }, { messageId: "ship-d1" });
    await OrderShippedEvent.publish(nc, { region: "us", orderId: "d2" }, { messageId: "ship-d2" });
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info("ORDERS");
    expect(info.config.subjects).toContain("orders.*.shipped");
    const ids = new Set<string>();
    const stored = info.state.last_seq;
    for (let seq = 1; seq <= stored; seq++) {
      const m = await jsm.streams.getMessage("ORDERS", { seq });
      if (m) ids.add(m.header.get("Nats-Msg-Id"));
    }
    // Each id once, whatever earlier tests stored.
    expect([...ids].filter((id) => id.startsWith("ship-d")).sort()).toEqual(["ship-d1", "ship-d2"]);
    expect(info.state.messages).toBe(ids.size);
  });

  it("gives one queue a consumer per durable event of a shared stream", async () => {
    const nc = await nats.connect();
    const PlacedDurable = defineEvent(OrderPlacedSchema, {
      subject: "orders.{region}.placed",
      durable: true,
      stream: "ORDERS",
    });
    const got: string[] = [];
    track(
      await OrderShippedEvent.subscribe(nc, (e) => void got.push(`shipped ${e.orderId}`), {
        queue: "ledger",
      }),
    );
    track(
      await PlacedDurable.subscribe(nc, (e) => void got.push(`placed ${e.order?.id}`), {
        queue: "ledger",
      }),
    );
    await PlacedDurable.publish(nc, { region: "eu", order: { id: "p1" } });
    await OrderShippedEvent.publish(nc, { region: "eu", orderId: "p1" });
    // The shipped consumer is new: it also replays what earlier tests stored.
    await waitFor(() => got.includes("placed p1") && got.includes("shipped p1"), "both events");
    const jsm = await jetstreamManager(nc);
    const names = (await jsm.consumers.list("ORDERS").next()).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(["ledger-OrderShipped", "ledger-OrderPlaced"]));
  });

  it("dead-letters a malformed durable event at once, reporting it", async () => {
    const nc = await nats.connect();
    const dead = await watch(nc, "pn.dlq.ORDERS.auditor");
    const errors: unknown[] = [];
    const got: string[] = [];
    track(
      await OrderShippedEvent.subscribe(nc, (e) => void got.push(e.orderId), {
        durable: { name: "auditor", startAt: "new", backoffMs: [20] },
        onError: (error) => errors.push(error),
      }),
    );
    const js = jetstream(nc);
    const h = headers();
    h.set("Pn-Event-Type", OrderShippedSchema.typeName);
    await js.publish("orders.eu.shipped", new Uint8Array([0x0a, 0xff]), { headers: h });
    await OrderShippedEvent.publish(nc, { region: "eu", orderId: "ok-after" });
    await waitFor(
      () => dead.length === 1 && got.includes("ok-after"),
      "dead letter and next event",
    );
    expect(errors).toHaveLength(1);
    expect((errors[0] as RpcError).code).toBe(Code.InvalidArgument);
    expect(dead[0]!.headers!.get(DeadLetterHeader.Deliveries)).toBe("1");
    expect(dead[0]!.headers!.get(DeadLetterHeader.Code)).toBe(String(Code.InvalidArgument));
    expect(dead[0]!.headers!.get(DeadLetterHeader.Subject)).toBe("orders.eu.shipped");
    await sleep(150);
    // Not redelivered: terminated after dead-lettering.
    expect(errors).toHaveLength(1);
  });
});
