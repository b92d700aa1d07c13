// CPU per durable publish in this process, raw `js.publish` (with a message
// id) against `OrderShippedEvent.publish`, 64 in flight, alternating rounds,
// in a namespace of its own whose streams are deleted afterwards:
//   tsx bench/tools/durable-costs.ts <url> [rounds] [ms]
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, nuid } from "@nats-io/transport-node";
import { natsRuntime } from "protonats";
import { OrderShippedEvent } from "../../generated/example/orders/v1/orders_nats.js";
import { closedLoop } from "../lib/closed-loop.js";
import { median } from "../lib/stats.js";

const [url, rounds = "5", ms = "1000"] = process.argv.slice(2) as [string, ...string[]];
const namespace = `costs${nuid.next().slice(-6).toLowerCase()}`;
const nc = await connect({ servers: url, noAsyncTraces: true });
const jsm = await jetstreamManager(nc);
const rawStream = `${namespace}_RAW`;
const rawSubject = `${namespace}.raw.durable`;
await jsm.streams.add({ name: rawStream, subjects: [rawSubject] });
const js = jetstream(nc);
const runtime = natsRuntime(nc, { namespace });
const payload = new Uint8Array(100).fill(7);
const event = { orderId: "1", region: "eu", carrier: "x".repeat(100) };
const raw = () => js.publish(rawSubject, payload, { msgID: nuid.next() });
const pn = () => OrderShippedEvent.publish(runtime, event);

async function measure(call: () => Promise<unknown>): Promise<{ rate: number; cpuUs: number }> {
  const start = process.cpuUsage();
  const r = await closedLoop(call, 64, Number(ms));
  const used = process.cpuUsage(start);
  return { rate: r.callsPerSecond, cpuUs: (used.user + used.system) / r.calls };
}
try {
  await closedLoop(raw, 64, 300);
  await closedLoop(pn, 64, 300);
  const rows = {
    raw: [] as { rate: number; cpuUs: number }[],
    pn: [] as { rate: number; cpuUs: number }[],
  };
  for (let i = 0; i < Number(rounds); i++) {
    rows.raw.push(await measure(raw));
    rows.pn.push(await measure(pn));
  }
  for (const [name, rs] of Object.entries(rows)) {
    console.log(
      `${name.padEnd(4)} ${Math.round(median(rs.map((r) => r.rate)))} msgs/s, ${median(rs.map((r) => r.cpuUs)).toFixed(1)} µs CPU per publish`,
    );
  }
  const ratios = rows.pn.map((p, i) => p.rate / (rows.raw[i]?.rate ?? Number.NaN));
  console.log(
    `pn/raw per round: ${ratios.map((r) => r.toFixed(2)).join(" ")}  median ${median(ratios).toFixed(2)}`,
  );
} finally {
  for (const name of await jsm.streams.names().next()) {
    if (name.startsWith(`${namespace}_`)) await jsm.streams.delete(name);
  }
  await nc.close();
}
