// Raw publish→subscribe against typed events publish→deliver in alternating
// rounds, with the CPU each side spends per message (publisher process,
// subscriber here, nats-server), to tell which side limits the rate:
//   tsx bench/tools/delivery-costs.ts <url> [natsPid] [rounds] [bytes] [count]
import { fileURLToPath } from "node:url";
import { connect } from "@nats-io/transport-node";
import { cpuMark, cpuPerOp } from "../lib/cpu.js";
import { median } from "../lib/stats.js";
import { startWorker, type WorkerProcess } from "../lib/worker-process.js";
import { eventDelivery } from "../scenarios/event-delivery.js";
import { rawPublishSubscribe } from "../scenarios/raw-pubsub.js";

const [url, natsPid, rounds = "5", bytes = "100", countArg] = process.argv.slice(2) as [
  string,
  ...string[],
];
const size = Number(bytes);
const count = Number(countArg ?? (size > 1000 ? 10_000 : 50_000));
const pid = natsPid ? Number(natsPid) : undefined;
const server = (p: string) => fileURLToPath(new URL(`../servers/${p}`, import.meta.url));
const rawPublisher = await startWorker(server("raw-publisher.ts"), [url, "bench.raw.costs"]);
const eventPublisher = await startWorker(server("event-publisher.ts"), [url]);
const nc = await connect({ servers: url, noAsyncTraces: true });

interface Sample {
  rate: number;
  pub: number;
  sub: number;
  nats: number;
}
const samples: Record<"raw" | "event", Sample[]> = { raw: [], event: [] };

async function measure(
  kind: "raw" | "event",
  publisher: WorkerProcess,
  run: () => Promise<number>,
): Promise<void> {
  const from = await cpuMark(publisher, pid);
  const rate = await run();
  const to = await cpuMark(publisher, pid);
  const cpu = cpuPerOp(from, to, count);
  samples[kind].push({ rate, pub: cpu.peer, sub: cpu.local, nats: cpu.nats });
}

const raw = () => rawPublishSubscribe(nc, rawPublisher, "bench.raw.costs", count, size);
const event = () => eventDelivery(nc, eventPublisher, count, size);
// Warm-up: JIT and connection buffers on every side.
await raw();
await event();
for (let i = 0; i < Number(rounds); i++) {
  await measure("raw", rawPublisher, raw);
  await measure("event", eventPublisher, event);
}
const row = (kind: "raw" | "event") => {
  const s = samples[kind];
  const m = (f: (x: Sample) => number) => median(s.map(f));
  return `${kind.padEnd(5)} ${Math.round(m((x) => x.rate))
    .toString()
    .padStart(
      8,
    )} msgs/s  pub ${m((x) => x.pub).toFixed(2)} µs  sub ${m((x) => x.sub).toFixed(2)} µs  nats ${m((x) => x.nats).toFixed(2)} µs`;
};
console.log(`${size} B, ${count} per round, medians of ${rounds} rounds (CPU per message)`);
console.log(row("raw"));
console.log(row("event"));
const ratios = samples.event.map((e, i) => e.rate / (samples.raw[i]?.rate ?? Number.NaN));
console.log(
  `event/raw per round: ${ratios.map((r) => r.toFixed(2)).join(" ")}  median ${median(ratios).toFixed(2)}`,
);
await nc.close();
await Promise.all([rawPublisher.stop(), eventPublisher.stop()]);
