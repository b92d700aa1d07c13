import { fileURLToPath } from "node:url";
import { NatsRegistry } from "protonats/protocol";
import { Greeter } from "../../generated/example/greeter/v1/greeter_pb.js";
import type { BenchContext } from "../lib/context.js";
import { below, rounds } from "../lib/rounds.js";
import { quantile } from "../lib/stats.js";
import { startWorker } from "../lib/worker-process.js";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
/** Its own namespace: only the three instances started here answer. */
const namespace = "benchlookup";

/**
 * Discovery through the registry API with three Greeter instances (three
 * connections in one peer process). Cold: a registry that has never seen the
 * service (a fresh `NatsRegistry`, as in a process that just started) asks
 * the bus. Cached: the same registry asked again, which announcements keep exact.
 */
export async function lookup(ctx: BenchContext): Promise<void> {
  const instances = await startWorker(here("../servers/greeter-server.ts"), [
    ctx.url,
    "instances=3",
    `namespace=${namespace}`,
  ]);
  const name = Greeter.typeName;
  try {
    const coldSamples = ctx.quick ? 30 : 100;
    let foundNodes = 0;
    let lookups = 0;
    const cold = async (): Promise<number> => {
      const samples = new Float64Array(coldSamples);
      for (let i = 0; i < coldSamples; i++) {
        const registry = new NatsRegistry(ctx.nc, { namespace });
        const t0 = performance.now();
        const found = await registry.getService(name);
        samples[i] = performance.now() - t0;
        await registry.close();
        // A lookup may end before a slow instance answered (its quiet window); count those.
        foundNodes += found.reduce((n, s) => n + s.nodes.length, 0);
        lookups++;
      }
      return quantile(samples.sort(), 0.5);
    };
    await cold(); // warm-up
    foundNodes = 0;
    lookups = 0;
    ctx.figures.push(
      below(await rounds(ctx.rounds, "cold lookup, 3 instances, p50", "", "ms", cold), 5),
      {
        name: "cold lookup, instances found (of 3)",
        payload: "",
        unit: "mean",
        value: foundNodes / lookups,
        spread: 0,
      },
    );

    const registry = new NatsRegistry(ctx.nc, { namespace });
    await registry.getService(name);
    const batch = 100_000;
    const cached = async (): Promise<number> => {
      const t0 = performance.now();
      for (let i = 0; i < batch; i++) await registry.getService(name);
      return ((performance.now() - t0) * 1000) / batch;
    };
    await cached(); // warm-up
    ctx.figures.push(
      below(await rounds(ctx.rounds, "cached lookup (mean of 100k)", "", "µs", cached), 10),
    );
    await registry.close();
  } finally {
    await instances.stop();
  }
}
