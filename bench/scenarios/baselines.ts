import { fileURLToPath } from "node:url";
import { closedLoop } from "../lib/closed-loop.js";
import type { BenchContext } from "../lib/context.js";
import { rounds } from "../lib/rounds.js";
import { startWorker } from "../lib/worker-process.js";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * nats.js `request()`, the way most hand-written NATS RPC is done (a timer
 * and a reply mux entry per call), for reference. The raw pipe and raw
 * publish→subscribe baselines that protonats is held to are measured in
 * rounds interleaved with protonats (unary.ts, delivery.ts).
 */
export async function baselines(ctx: BenchContext): Promise<void> {
  const { nc } = ctx;
  const echo = await startWorker(here("../servers/raw-echo.ts"), [ctx.url, "bench.raw.echo"]);
  try {
    for (const { label, bytes } of ctx.payloads) {
      const request = () => nc.request("bench.raw.echo", bytes, { timeout: 5000 });
      await closedLoop(request, 1, 200); // warm-up
      ctx.figures.push(
        await rounds(
          ctx.rounds,
          "nats request() sequential",
          label,
          "calls/s",
          async () => (await closedLoop(request, 1, ctx.roundMs)).callsPerSecond,
        ),
        await rounds(
          ctx.rounds,
          "nats request() 64 in flight",
          label,
          "calls/s",
          async () => (await closedLoop(request, 64, ctx.roundMs)).callsPerSecond,
        ),
      );
    }
  } finally {
    await echo.stop();
  }
}
