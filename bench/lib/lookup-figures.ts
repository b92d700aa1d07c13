import { NatsRegistry } from "protonats/protocol";
import { Greeter } from "../../generated/example/greeter/v1/greeter_pb.js";
import type { BenchContext } from "./context.js";
import { below, rounds } from "./rounds.js";
import { quantile } from "./stats.js";

/** Greeter nodes a registry knows after one lookup (a lookup may end before a slow instance answered). */
export async function greeterNodes(registry: NatsRegistry): Promise<number> {
  try {
    const found = await registry.getService(Greeter.typeName);
    return found.reduce((n, s) => n + s.nodes.length, 0);
  } catch {
    return 0; // NotFound: nobody answered in time
  }
}

/**
 * Cold lookups of the Greeter in `namespace` (a fresh `NatsRegistry` each, as
 * in a process that just started: it asks the bus), then cached ones (the
 * same registry asked again): the p50 of the cold ones, how many of the
 * `instances` each found, and the mean cached lookup, against their targets.
 */
export async function lookupFigures(
  ctx: BenchContext,
  namespace: string,
  instances: number,
  coldSamples: number,
): Promise<void> {
  let foundNodes = 0;
  let lookups = 0;
  const cold = async (): Promise<number> => {
    const samples = new Float64Array(coldSamples);
    for (let i = 0; i < coldSamples; i++) {
      const registry = new NatsRegistry(ctx.nc, { namespace });
      const t0 = performance.now();
      const found = await greeterNodes(registry);
      samples[i] = performance.now() - t0;
      await registry.close();
      foundNodes += found;
      lookups++;
    }
    return quantile(samples.sort(), 0.5);
  };
  await cold(); // warm-up
  foundNodes = 0;
  lookups = 0;
  ctx.figures.push(
    below(await rounds(ctx.rounds, `cold lookup, ${instances} instances, p50`, "", "ms", cold), 5),
    {
      name: `cold lookup, instances found (of ${instances})`,
      payload: "",
      unit: "mean",
      value: foundNodes / lookups,
      spread: 0,
    },
  );

  const registry = new NatsRegistry(ctx.nc, { namespace });
  try {
    // A registry that found nothing asks the bus on every lookup: no cached figure then.
    if ((await greeterNodes(registry)) === 0) return;
    const batch = 100_000;
    const cached = async (): Promise<number> => {
      const t0 = performance.now();
      for (let i = 0; i < batch; i++) await registry.getService(Greeter.typeName);
      return ((performance.now() - t0) * 1000) / batch;
    };
    await cached(); // warm-up
    const name = `cached lookup, ${instances} instances (mean of 100k)`;
    ctx.figures.push(below(await rounds(ctx.rounds, name, "", "µs", cached), 10));
  } finally {
    await registry.close();
  }
}
