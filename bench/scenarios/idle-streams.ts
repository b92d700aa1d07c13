import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type { BenchContext } from "../lib/context.js";
import { below, figureOf } from "../lib/rounds.js";
import { startWorker, type WorkerProcess } from "../lib/worker-process.js";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const streams = 10_000;

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`idle streams: timed out waiting for ${what}`);
    await sleep(50);
  }
}

const heapOf = async (peer: WorkerProcess) =>
  (await peer.ask<{ heap: number }>({ cmd: "heap" })).heap;

/**
 * Heap per open idle bidi stream, 10k streams, on each side: the server holds
 * the handler and its request queue, the client the response queue and the
 * request pump. Both peers run with --expose-gc and report the heap after a
 * full collection.
 */
export async function idleStreams(ctx: BenchContext): Promise<void> {
  const server = await startWorker(
    here("../servers/greeter-server.ts"),
    [ctx.url],
    ["--expose-gc"],
  );
  const holder = await startWorker(here("../servers/stream-holder.ts"), [ctx.url], ["--expose-gc"]);
  const openChats = async () => (await server.ask<{ open: number }>({ cmd: "chats" })).open;
  try {
    const serverPer: number[] = [];
    const clientPer: number[] = [];
    const roundCount = ctx.quick ? 1 : 2;
    for (let round = 0; round < roundCount; round++) {
      const serverBefore = await heapOf(server);
      const clientBefore = await heapOf(holder);
      await holder.ask({ cmd: "open", count: streams });
      await until("the server to run every handler", async () => (await openChats()) === streams);
      // Let the server's credit frames reach the client.
      await sleep(300);
      serverPer.push(((await heapOf(server)) - serverBefore) / streams);
      clientPer.push(((await heapOf(holder)) - clientBefore) / streams);
      // The last round's streams die with the peers (a quick run saves the seconds).
      if (round === roundCount - 1) break;
      await holder.ask({ cmd: "close" });
      await until("every stream to end", async () => (await openChats()) === 0);
    }
    const label = `${streams / 1000}k streams`;
    ctx.figures.push(
      below(figureOf("heap per idle stream, server process", label, "B", serverPer), 4096),
      below(figureOf("heap per idle stream, client process", label, "B", clientPer), 4096),
    );
  } finally {
    await Promise.all([holder.stop(), server.stop()]);
  }
}
