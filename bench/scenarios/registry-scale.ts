import { fileURLToPath } from "node:url";
import { NatsRegistry } from "protonats/protocol";
import { Greeter } from "../../generated/example/greeter/v1/greeter_pb.js";
import type { BenchContext } from "../lib/context.js";
import { below, rounds } from "../lib/rounds.js";
import { quantile } from "../lib/stats.js";
import { startWorker, type WorkerProcess } from "../lib/worker-process.js";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
/** Its own namespace: only the instances started here answer and announce. */
const namespace = "benchscale";
const processes = 4;
const perProcess = 250;
const instances = processes * perProcess;

/**
 * Discovery with 1,000 instances of one service, announced through the
 * registry API by 4 processes of 250 instances each (one `NatsRegistry` per
 * process, the record `serve()` registers). Measured here: cold lookup (a
 * fresh registry each time) and cached lookup of all 1,000 nodes, the
 * registry traffic on the bus (a raw subscription to the registry subjects:
 * the announcement burst, then heartbeats per second in steady state), and
 * the heap a looking-up process spends per cached node (in a peer with
 * `--expose-gc`).
 */
export async function registryScale(ctx: BenchContext): Promise<void> {
  let msgs = 0;
  let bytes = 0;
  const traffic = ctx.nc.subscribe(`${namespace}.pn.registry.>`, {
    callback: (_err, msg) => {
      msgs++;
      bytes += msg.data.length;
    },
  });
  await ctx.nc.flush();
  const workers: WorkerProcess[] = [];
  try {
    const started = performance.now();
    workers.push(
      ...(await Promise.all(
        Array.from({ length: processes }, (_, i) =>
          startWorker(
            here("../servers/registry-instances.ts"),
            [ctx.url, namespace, String(perProcess), `p${i}`],
            i === 0 ? ["--expose-gc"] : [],
          ),
        ),
      )),
    );
    await ctx.nc.flush();
    const announceMs = performance.now() - started;
    ctx.figures.push(
      {
        name: `registry announcements of ${instances} instances (${processes} processes)`,
        payload: "",
        unit: "msgs",
        value: msgs,
        spread: 0,
      },
      {
        name: `registry announcement bytes of ${instances} instances`,
        payload: "",
        unit: "KiB",
        value: bytes / 1024,
        spread: 0,
      },
      {
        name: "registration of all instances (process start included)",
        payload: "",
        unit: "ms",
        value: announceMs,
        spread: 0,
      },
    );

    const name = Greeter.typeName;
    const coldSamples = ctx.quick ? 20 : 50;
    let foundNodes = 0;
    let lookups = 0;
    const cold = async (): Promise<number> => {
      const samples = new Float64Array(coldSamples);
      for (let i = 0; i < coldSamples; i++) {
        const registry = new NatsRegistry(ctx.nc, { namespace });
        const t0 = performance.now();
        const found = await nodesOf(registry, name);
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
      below(
        await rounds(ctx.rounds, `cold lookup, ${instances} instances, p50`, "", "ms", cold),
        5,
      ),
      {
        name: `cold lookup, instances found (of ${instances})`,
        payload: "",
        unit: "mean",
        value: foundNodes / lookups,
        spread: 0,
      },
    );

    const registry = new NatsRegistry(ctx.nc, { namespace });
    // A registry that found nothing asks the bus on every lookup: no cached figure then.
    if ((await nodesOf(registry, name)) > 0) {
      const batch = 100_000;
      const cached = async (): Promise<number> => {
        const t0 = performance.now();
        for (let i = 0; i < batch; i++) await registry.getService(name);
        return ((performance.now() - t0) * 1000) / batch;
      };
      await cached(); // warm-up
      ctx.figures.push(
        below(
          await rounds(
            ctx.rounds,
            `cached lookup, ${instances} instances (mean of 100k)`,
            "",
            "µs",
            cached,
          ),
          10,
        ),
      );
    }

    // Steady state: heartbeats only (every 5 s by default), over a whole number of intervals.
    const windowMs = ctx.quick ? 5_000 : 10_000;
    msgs = 0;
    bytes = 0;
    const t0 = performance.now();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const seconds = (performance.now() - t0) / 1000;
    // The cache must still hold every node after heartbeats (a refused heartbeat expires them).
    const stillCached = await nodesOf(registry, name);
    await registry.close();
    ctx.figures.push(
      {
        name: "registry heartbeat traffic, steady state",
        payload: "",
        unit: "msgs/s",
        value: msgs / seconds,
        spread: 0,
      },
      {
        name: "registry heartbeat traffic, steady state",
        payload: "",
        unit: "B/s",
        value: bytes / seconds,
        spread: 0,
      },
      {
        name: `cached nodes after ${Math.round(seconds)} s of heartbeats (of ${instances})`,
        payload: "",
        unit: "nodes",
        value: stillCached,
        spread: 0,
      },
    );

    const heap = await workers[0]!.ask<{ nodes: number; bytes: number }>({ cmd: "cached" });
    ctx.figures.push({
      name: `heap per cached node (${heap.nodes} nodes, fresh registry)`,
      payload: "",
      unit: "B",
      value: heap.nodes > 0 ? heap.bytes / heap.nodes : 0,
      spread: 0,
    });
  } finally {
    traffic.unsubscribe();
    await Promise.all(workers.map((w) => w.stop()));
  }
}

/** Nodes a lookup finds; 0 when it fails (a refused answer makes it `NotFound`). */
async function nodesOf(registry: NatsRegistry, name: string): Promise<number> {
  try {
    const found = await registry.getService(name);
    return found.reduce((n, s) => n + s.nodes.length, 0);
  } catch {
    return 0;
  }
}
