import { fileURLToPath } from "node:url";
import { closedLoop } from "../lib/closed-loop.js";
import type { BenchContext } from "../lib/context.js";
import { rounds } from "../lib/rounds.js";
import { startWorker } from "../lib/worker-process.js";
import { rawPipe } from "./raw-pipe.js";
import { rawPublishSubscribe } from "./raw-pubsub.js";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** Raw nats.js figures, measured in the same run as protonats, against the same server. */
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

      const pipe = rawPipe(nc, "bench.raw.echo");
      const call = () => pipe.call(bytes);
      await closedLoop(call, 64, 300); // warm-up
      const p50s: number[] = [];
      const p99s: number[] = [];
      ctx.figures.push(
        await rounds(ctx.rounds, "raw pipe sequential", label, "calls/s", async () => {
          const r = await closedLoop(call, 1, ctx.roundMs);
          p50s.push(r.p50Us);
          p99s.push(r.p99Us);
          return r.callsPerSecond;
        }),
      );
      ctx.figures.push(
        await rounds(ctx.rounds, "raw pipe sequential p50", label, "µs", async () => p50s.shift()!),
        await rounds(ctx.rounds, "raw pipe sequential p99", label, "µs", async () => p99s.shift()!),
      );
      for (const inFlight of [64, 256]) {
        ctx.figures.push(
          await rounds(
            ctx.rounds,
            `raw pipe ${inFlight} in flight`,
            label,
            "calls/s",
            async () => (await closedLoop(call, inFlight, ctx.roundMs)).callsPerSecond,
          ),
        );
      }
      pipe.close();
    }
  } finally {
    await echo.stop();
  }

  const publisher = await startWorker(here("../servers/raw-publisher.ts"), [
    ctx.url,
    "bench.raw.events",
  ]);
  try {
    const count = ctx.quick ? 100_000 : 300_000;
    for (const { label, bytes } of ctx.payloads) {
      const n = bytes.length > 1000 ? count / 10 : count;
      ctx.figures.push(
        await rounds(ctx.rounds, "raw publish→subscribe", label, "msgs/s", () =>
          rawPublishSubscribe(nc, publisher, "bench.raw.events", n, bytes.length),
        ),
      );
    }
  } finally {
    await publisher.stop();
  }
}
