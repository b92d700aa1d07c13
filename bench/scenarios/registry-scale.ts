import { fileURLToPath } from "node:url";
import { NatsRegistry } from "protonats/protocol";
import type { BenchContext } from "../lib/context.js";
import { greeterNodes, lookupFigures } from "../lib/lookup-figures.js";
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

    await lookupFigures(ctx, namespace, instances, ctx.quick ? 20 : 50);

    // Steady state: heartbeats only (every 5 s by default), over a whole number of intervals.
    const registry = new NatsRegistry(ctx.nc, { namespace });
    await greeterNodes(registry);
    const windowMs = ctx.quick ? 5_000 : 10_000;
    msgs = 0;
    bytes = 0;
    const t0 = performance.now();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const seconds = (performance.now() - t0) / 1000;
    // The cache must still hold every node after heartbeats (a refused heartbeat expires them).
    const stillCached = await greeterNodes(registry);
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
