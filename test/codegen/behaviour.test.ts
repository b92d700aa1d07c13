import { create } from "@bufbuild/protobuf";
import { anyPack, anyUnpack, StructSchema, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { type RuntimeLike, type Server, serve } from "protonats";
import { memoryRuntime } from "protonats/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type NatsServerProcess, startNatsServer } from "../harness/nats-server.js";
import { MoneySchema } from "./golden/common/v1/common_pb.js";
import { createBillingClient, defineBilling } from "./golden/cross/v1/cross_nats.js";
import { InvoicePaidEvent } from "./golden/cross/v1/types_nats.js";
import { createClientClient, defineClient } from "./golden/hostile/v1/hostile_nats.js";
import { createShapesClient, defineShapes } from "./golden/shapes/v1/shapes_nats.js";
import { EverythingSchema } from "./golden/shapes/v1/shapes_pb.js";

// A sample of the golden fixtures served and called through their generated
// code: hostile names, cross-file and cross-package messages, well-known
// types, every RPC shape. The same tests run in memory and over a real NATS
// server.

async function* from<T>(items: T[]): AsyncIterable<T> {
  for (const item of items) yield item;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

interface Sides {
  server: RuntimeLike;
  client: RuntimeLike;
  close(): Promise<void>;
}

const runtimes: { name: string; start(): Promise<Sides> }[] = [
  {
    name: "in memory",
    async start() {
      const runtime = memoryRuntime();
      return { server: runtime, client: runtime, close: async () => {} };
    },
  },
  {
    name: "over NATS",
    async start() {
      const nats: NatsServerProcess = await startNatsServer();
      const connections: NatsConnection[] = [];
      try {
        connections.push(await connect({ servers: nats.url }));
        connections.push(await connect({ servers: nats.url }));
      } catch (error) {
        await nats.stop();
        throw error;
      }
      return {
        server: connections[0]!,
        client: connections[1]!,
        async close() {
          await Promise.allSettled(connections.map((nc) => nc.close()));
          await nats.stop();
        },
      };
    },
  },
];

for (const setup of runtimes) {
  describe(`generated code works ${setup.name}`, () => {
    let sides: Sides;
    let server: Server;
    const notified: bigint[] = [];
    const logged: string[] = [];

    beforeAll(async () => {
      sides = await setup.start();
      server = await serve(sides.server, [
        defineClient({
          then$: (req) => ({ value: `then:${req.value}` }),
          constructor$: (req) => ({ value: `constructor:${req.value}` }),
          toString$: (req) => ({ value: `toString:${req.value}` }),
          valueOf$: (req) => ({ value: `valueOf:${req.value}` }),
          toJSON$: (req) => ({ value: `toJSON:${req.value}` }),
          __proto__$: (req) => ({ value: `__proto__:${req.value}` }),
          hasOwnProperty$: (req) => ({ value: `hasOwnProperty:${req.value}` }),
          delete: async (req) => ({ value: `delete:${req.value}` }),
          default: (req) => ({ value: `default:${req.value}` }),
          class: (req) => ({ value: `class:${req.value}` }),
          new: (req) => ({ value: `new:${req.value}` }),
          get: (req) => ({ value: `get:${req.value}` }),
          set: (req) => ({ value: `set:${req.value}` }),
          readonly: (req) => ({ value: `readonly:${req.value}` }),
          async *async(req) {
            yield { value: `${req.value}-1` };
            yield { value: `${req.value}-2` };
          },
          async await(requests) {
            const values: string[] = [];
            for await (const r of requests) values.push(r.value);
            return { value: values.join("+") };
          },
        }),
        defineBilling({
          charge: (money) => ({ id: `inv-${money.currency}`, total: money }),
          async *list(page) {
            for (let i = 0; i < page.size; i++) yield { id: `inv-${i}` };
          },
          resume: (cursor) => ({ token: cursor.after, size: 7 }),
          convert: (money) => ({ amount: `${money.units} ${money.currency}` }),
        }),
        defineShapes({
          unary: (everything) => everything,
          async *serverStream(nested) {
            yield { value: nested.value.toUpperCase() };
          },
          async clientStream(values) {
            let n = 0n;
            for await (const _ of values) n++;
            return { value: n };
          },
          async *bidi(structs) {
            for await (const s of structs) yield anyPack(StructSchema, s);
          },
          notify: (at) => {
            notified.push(at.seconds);
            return {};
          },
          log: (request) => {
            logged.push(request.line);
            return {};
          },
          lookup: () => ({ kind: { case: "stringValue", value: "found" } }),
          put: (bytes) => ({ value: bytes.value.length > 0 }),
          get: () => ({}),
        }),
      ]);
    });

    afterAll(async () => {
      await server?.stop();
      await sides?.close();
    });

    it("calls methods named like JavaScript members and keywords", async () => {
      const client = createClientClient(sides.client);
      expect((await client.then$({ value: "a" })).value).toBe("then:a");
      expect((await client.constructor$({ value: "b" })).value).toBe("constructor:b");
      expect((await client.toString$({ value: "c" })).value).toBe("toString:c");
      expect((await client.valueOf$({ value: "d" })).value).toBe("valueOf:d");
      expect((await client.toJSON$({ value: "e" })).value).toBe("toJSON:e");
      expect((await client.__proto__$({ value: "f" })).value).toBe("__proto__:f");
      expect((await client.hasOwnProperty$({ value: "g" })).value).toBe("hasOwnProperty:g");
      // The built-in stays what libraries expect of any object.
      expect(Object.hasOwn(client, "hasOwnProperty")).toBe(false);
      expect((await client.delete({ value: "h" })).value).toBe("delete:h");
      expect((await client.default({ value: "i" })).value).toBe("default:i");
      expect((await client.class({ value: "j" })).value).toBe("class:j");
      expect((await client.new({ value: "l" })).value).toBe("new:l");
      expect((await client.get({ value: "m" })).value).toBe("get:m");
      expect((await client.set({ value: "n" })).value).toBe("set:n");
      expect((await client.readonly({ value: "o" })).value).toBe("readonly:o");
      expect((await collect(client.async({ value: "k" }))).map((r) => r.value)).toEqual([
        "k-1",
        "k-2",
      ]);
      expect((await client.await(from([{ value: "x" }, { value: "y" }]))).value).toBe("x+y");
    });

    it("gives a client that is not a thenable and keeps its prototype", async () => {
      const client = createClientClient(sides.client);
      expect("then" in client).toBe(false);
      expect(await Promise.resolve(client)).toBe(client);
      expect(Object.getPrototypeOf(client)).toBe(Object.prototype);
      expect(JSON.stringify(client)).toBe("{}");
    });

    it("passes messages from other files and packages", async () => {
      const billing = createBillingClient(sides.client);
      const invoice = await billing.charge({ currency: "EUR", units: 12n });
      expect(invoice.id).toBe("inv-EUR");
      expect(invoice.total).toEqual(create(MoneySchema, { currency: "EUR", units: 12n }));
      expect((await collect(billing.list({ size: 3 }))).map((i) => i.id)).toEqual([
        "inv-0",
        "inv-1",
        "inv-2",
      ]);
      expect(await billing.resume({ after: "cursor-9" })).toMatchObject({
        token: "cursor-9",
        size: 7,
      });
      // Two messages named Money, from two packages, in one call.
      expect((await billing.convert({ currency: "EUR", units: 3n })).amount).toBe("3 EUR");
    });

    it("round-trips maps, oneofs, optionals and well-known types in every RPC shape", async () => {
      const shapes = createShapesClient(sides.client);
      const sent = create(EverythingSchema, {
        text: "t",
        maybe: 5n,
        numbers: [1.5, 2.5],
        byName: { a: { value: "A" } },
        choice: { case: "kind", value: 1 },
        at: timestampFromDate(new Date(1_700_000_000_000)),
        data: { fields: { k: { kind: { case: "numberValue", value: 3 } } } },
        wrapped: 9,
      });
      expect(await shapes.unary(sent)).toEqual(sent);
      expect((await collect(shapes.serverStream({ value: "up" })))[0]?.value).toBe("UP");
      expect((await shapes.clientStream(from([{ value: "a" }, { value: "b" }]))).value).toBe(2n);
      const packed = await collect(
        shapes.bidi(from([{ fields: { n: { kind: { case: "boolValue", value: true } } } }])),
      );
      expect(anyUnpack(packed[0]!, StructSchema)?.fields.n?.kind).toEqual({
        case: "boolValue",
        value: true,
      });
      expect((await shapes.lookup({})).kind).toEqual({ case: "stringValue", value: "found" });
      expect((await shapes.put({ value: new Uint8Array([1]) })).value).toBe(true);
    });

    it("sends a no_reply call that the handler receives", async () => {
      const shapes = createShapesClient(sides.client);
      await shapes.notify({ seconds: 42n });
      await vi.waitFor(() => expect(notified).toContain(42n), { timeout: 10_000 });
    });

    it("sends a no_reply call whose response type is a field-less message of its own", async () => {
      const shapes = createShapesClient(sides.client);
      expect(await shapes.log({ line: "hello" })).toEqual(expect.objectContaining({}));
      await vi.waitFor(() => expect(logged).toContain("hello"), { timeout: 10_000 });
    });

    it("publishes and receives a generated event defined in a file without services", async () => {
      const received: string[] = [];
      let done: () => void = () => {};
      const arrived = new Promise<void>((resolve) => {
        done = resolve;
      });
      const subscription = await InvoicePaidEvent.subscribe(
        sides.server,
        (event) => {
          received.push(`${event.currency}:${event.invoiceId}`);
          done();
        },
        { tokens: { currency: "EUR" } },
      );
      try {
        expect(InvoicePaidEvent.subjectFor({ currency: "EUR", invoiceId: "1" })).toBe(
          "billing.EUR.paid",
        );
        await InvoicePaidEvent.publish(sides.client, { currency: "USD", invoiceId: "0" });
        await InvoicePaidEvent.publish(sides.client, { currency: "EUR", invoiceId: "1" });
        await arrived;
        expect(received).toEqual(["EUR:1"]);
      } finally {
        await subscription.unsubscribe();
      }
    });
  });
}
