// CPU per delivered typed event in the subscriber's own code, without I/O or
// nats.js's parser: a NatsBroker on a stand-in connection that only keeps
// the subscription callback, fed nats.js messages made from the bytes an
// `OrderPlacedEvent.publish` sends (type header block + body), so that what
// protonats adds per event (message wrapper, type check, decode, context) is
// measured without the noise of a shared machine's sockets.
//   tsx bench/tools/event-costs.ts [bytes] [events]
import type { Msg, MsgHdrs, NatsConnection, SubscriptionOptions } from "@nats-io/nats-core";
import { MsgImpl } from "@nats-io/nats-core/internal";
import { encodeInit, type Runtime } from "protonats/protocol";
import { OrderPlacedEvent } from "../../generated/example/orders/v1/orders_nats.js";
import { OrderPlacedSchema } from "../../generated/example/orders/v1/orders_pb.js";
import { NatsBroker } from "../../runtime/nats/broker/nats-broker.js";

const [bytesArg = "100", eventsArg = "500000"] = process.argv.slice(2);
const size = Number(bytesArg);
const events = Number(eventsArg);

type Callback = (err: Error | null, msg: Msg) => void;
let deliver: Callback | undefined;
let published: { subject: string; data: Uint8Array; headers: MsgHdrs | undefined } | undefined;
const nc = {
  subscribe(_subject: string, options: SubscriptionOptions) {
    deliver = options.callback as Callback;
    return { drain: async () => {} };
  },
  publish(subject: string, data: Uint8Array, options?: { headers?: MsgHdrs }) {
    published = { subject, data: data.slice(), headers: options?.headers };
  },
  flush: async () => {},
  isClosed: () => false,
} as unknown as NatsConnection;
// Transport and registry are never used by events.
const runtime = { broker: new NatsBroker(nc), transport: {}, registry: {} } as unknown as Runtime;

// The wire bytes of one event, as the publisher sends them.
const event = { region: "eu", order: { id: "1", customer: "x".repeat(size), region: "eu" } };
await OrderPlacedEvent.publish(runtime, event);
const sent = published!;
const block = (sent.headers as unknown as { encode(): Uint8Array }).encode();
const data = new Uint8Array(block.length + sent.data.length);
data.set(block);
data.set(sent.data, block.length);
if (sent.data.length !== encodeInit(OrderPlacedSchema, event).length)
  throw new Error("unexpected body");
const subject = new TextEncoder().encode(sent.subject);
// nats.js hands over Buffer views of its read buffer.
const raw = Buffer.from(data);
const message = (): Msg =>
  new MsgImpl(
    { kind: 0, subject, sid: 1, hdr: block.length, size: raw.length } as never,
    raw,
    undefined as never,
  ) as unknown as Msg;

let handled = 0;
await OrderPlacedEvent.subscribe(runtime, (e) => {
  if (e.order !== undefined) handled++;
});
const callback = deliver!;

function run(n: number): number {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) callback(null, message());
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / n;
}
run(events / 5);
const rounds: number[] = [];
for (let r = 0; r < 5; r++) {
  rounds.push(run(events));
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1] as number;
if (handled === 0) throw new Error("no event handled");
console.log(
  `${size} B: ${median(rounds).toFixed(0)} ns per delivered event, rounds ${rounds.map((x) => x.toFixed(0)).join(" ")}`,
);
