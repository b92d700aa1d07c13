// Heap snapshots of a greeter server and a stream holder before and after
// opening N idle bidi streams, for heap-summary.ts:
//   tsx bench/tools/idle-snapshot.ts <url> [streams] [dir]
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { startWorker } from "../lib/worker-process.js";

const [url, countArg = "2000", dir = "/tmp"] = process.argv.slice(2) as [string, ...string[]];
const count = Number(countArg);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const server = await startWorker(here("../servers/greeter-server.ts"), [url], ["--expose-gc"]);
const holder = await startWorker(here("../servers/stream-holder.ts"), [url], ["--expose-gc"]);
const snap = async (name: string) => {
  await server.ask({ cmd: "heap" });
  await holder.ask({ cmd: "heap" });
  await server.ask({ cmd: "snapshot", file: `${dir}/server-${name}.heapsnapshot` });
  await holder.ask({ cmd: "snapshot", file: `${dir}/client-${name}.heapsnapshot` });
};
await snap("before");
await holder.ask({ cmd: "open", count });
while ((await server.ask<{ open: number }>({ cmd: "chats" })).open < count) await sleep(50);
await sleep(300);
await snap("after");
console.log(`snapshots in ${dir}: {server,client}-{before,after}.heapsnapshot, ${count} streams`);
await Promise.all([holder.stop(), server.stop()]);
