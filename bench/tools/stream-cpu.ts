// CPU per streamed message on each side (client here, greeter-server in its
// own process): steadier than messages per second on a shared machine.
// Usage: tsx bench/tools/stream-cpu.ts <url> <stream|chat> [streams] [bytes]
import { fileURLToPath } from "node:url";
import { connect } from "@nats-io/transport-node";
import { createGreeterClient } from "../../generated/example/greeter/v1/greeter_nats.js";
import { cpuMark, cpuPerOp } from "../lib/cpu.js";
import { startWorker } from "../lib/worker-process.js";
import { bidiEcho } from "../scenarios/bidi-echo.js";
import { serverStreaming } from "../scenarios/server-streaming.js";

const [url, mode = "stream", streams = "20", bytes = "100"] = process.argv.slice(2) as [
  string,
  ...string[],
];
const count = 10_000;
const size = Number(bytes);
const server = await startWorker(
  fileURLToPath(new URL("../servers/greeter-server.ts", import.meta.url)),
  [url],
);
const nc = await connect({ servers: url, noAsyncTraces: true });
const client = createGreeterClient(nc);
const once = () =>
  mode === "chat" ? bidiEcho(client, count, size) : serverStreaming(client, count, size);
try {
  for (let i = 0; i < 3; i++) await once(); // warm-up
  const before = await cpuMark(server, undefined);
  const rates: number[] = [];
  for (let i = 0; i < Number(streams); i++) rates.push(await once());
  const per = cpuPerOp(before, await cpuMark(server, undefined), Number(streams) * count);
  rates.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      mode,
      size,
      medianMsgsPerSecond: Math.round(rates[rates.length >> 1] ?? 0),
      clientUsPerMsg: Number(per.local.toFixed(2)),
      serverUsPerMsg: Number(per.peer.toFixed(2)),
    }),
  );
} finally {
  await nc.close();
  await server.stop();
}
