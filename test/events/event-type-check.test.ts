import { headers, type Msg, type NatsConnection } from "@nats-io/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import { OrderPlacedEvent } from "../../generated/example/orders/v1/orders_nats.js";
import { OrderPlacedSchema } from "../../generated/example/orders/v1/orders_pb.js";
import { Code } from "../../runtime/errors/code.js";
import { RpcError } from "../../runtime/errors/rpc-error.js";
import { EventTypeHeader } from "../../runtime/events/event-headers.js";
import { coreHeadersAre } from "../../runtime/nats/broker/headers.js";
import { NatsBroker } from "../../runtime/nats/broker/nats-broker.js";
import { setNatsInternals } from "../../runtime/nats/nats-internals.js";
import { bytes, waitFor } from "../broker/support.js";
import { connectionsPerTest } from "../support/connections-per-test.js";

const nats = connectionsPerTest();
const typeHeaders = Object.freeze({ [EventTypeHeader]: OrderPlacedSchema.typeName });

afterEach(() => setNatsInternals(true));

/** Messages as nats.js delivers them on `subject`. */
async function collect(nc: NatsConnection, subject: string): Promise<Msg[]> {
  const got: Msg[] = [];
  nc.subscribe(subject, { callback: (_err, msg) => void got.push(msg) });
  await nc.flush();
  return got;
}

/** Publishes `body` with exactly these headers through nats.js. */
function publishRaw(nc: NatsConnection, subject: string, record: Record<string, string>): void {
  const h = headers();
  for (const [k, v] of Object.entries(record)) h.append(k, v);
  nc.publish(subject, bytes("x"), { headers: h });
}

describe("the event type header read from its bytes", () => {
  it("matches the block a publisher of the frozen record sends, and nothing else", async () => {
    const nc = await nats.connect();
    const got = await collect(nc, "check.>");
    const broker = new NatsBroker(nc);
    await broker.publish("check.exact", bytes("x"), { headers: typeHeaders });
    publishRaw(nc, "check.other-type", { [EventTypeHeader]: "example.orders.v1.OrderPlacex" });
    publishRaw(nc, "check.extra", { ...typeHeaders, "X-Trace": "1" });
    nc.publish("check.none", bytes("x"));
    await nc.flush();
    await waitFor(() => got.length === 4, "4 messages");
    const verdicts = got.map((m) => [m.subject, coreHeadersAre(m, typeHeaders)]);
    expect(verdicts).toEqual([
      ["check.exact", true],
      ["check.other-type", false],
      ["check.extra", false],
      ["check.none", false],
    ]);
    // A record that is not frozen is never taken as known: it could change after the check.
    expect(coreHeadersAre(got[0]!, { ...typeHeaders })).toBe(false);
    // Without nats.js internals, nothing is known from bytes: headers are parsed.
    setNatsInternals(false);
    expect(coreHeadersAre(got[0]!, typeHeaders)).toBe(false);
  });

  for (const internals of [true, false]) {
    it(`refuses a body announced as another type, internals ${internals ? "on" : "off"}`, async () => {
      setNatsInternals(internals);
      const nc = await nats.connect();
      const errors: unknown[] = [];
      const ids: string[] = [];
      const sub = await OrderPlacedEvent.subscribe(nc, (e) => void ids.push(e.order?.id ?? ""), {
        queue: "",
        onError: (error) => errors.push(error),
      });
      try {
        const body = bytes("");
        // One byte off the expected block, same length: must not pass as an OrderPlaced.
        publishRaw(nc, "orders.eu.placed", { [EventTypeHeader]: "example.orders.v1.OrderPlacex" });
        // The right type first, another after it: the first value is the type, as before.
        publishRaw(nc, "orders.eu.placed", {
          [EventTypeHeader]: "example.orders.v1.OrderShipped",
          "X-Extra": "1",
        });
        nc.publish("orders.eu.placed", body, {
          headers: (() => {
            const h = headers();
            h.append(EventTypeHeader, OrderPlacedSchema.typeName);
            h.append(EventTypeHeader, "example.orders.v1.OrderShipped");
            return h;
          })(),
        });
        await OrderPlacedEvent.publish(nc, { region: "eu", order: { id: "fine" } });
        await nc.flush();
        await waitFor(() => errors.length === 2 && ids.length === 2, "2 refused, 2 delivered");
        expect(ids.sort()).toEqual(["", "fine"]);
        for (const error of errors) {
          expect(error).toBeInstanceOf(RpcError);
          expect((error as RpcError).code).toBe(Code.InvalidArgument);
        }
        expect((errors[0] as RpcError).message).toContain("got example.orders.v1.OrderPlacex");
        expect((errors[1] as RpcError).message).toContain("got example.orders.v1.OrderShipped");
      } finally {
        await sub.unsubscribe();
      }
    });
  }
});
