import { fileURLToPath } from "node:url";
import { connect } from "@nats-io/transport-node";
import { createGreeterClient } from "../../generated/example/greeter/v1/greeter_nats.js";
import { closedLoop, type LoopResult } from "../lib/closed-loop.js";
import type { BenchContext } from "../lib/context.js";
import { cpuMark, cpuPerOp } from "../lib/cpu.js";
import { atLeast, atMost, compare, figureOf, interleaved } from "../lib/rounds.js";
import { startWorker, type WorkerProcess } from "../lib/worker-process.js";
import { rawPipe } from "./raw-pipe.js";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** What one side (raw pipe or protonats) measured, round by round. */
class Side {
  readonly callsPerSecond: number[] = [];
  readonly p50: number[] = [];
  readonly p99: number[] = [];
  readonly clientCpu: number[] = [];
  readonly serverCpu: number[] = [];
  readonly natsCpu: number[] = [];

  constructor(
    readonly call: () => Promise<unknown>,
    readonly server: WorkerProcess,
    readonly natsPid: number | undefined,
  ) {}

  /** One round; with `cpu`, also the CPU both processes spent per call. */
  async round(concurrency: number, ms: number, cpu: boolean): Promise<void> {
    const before = cpu ? await cpuMark(this.server, this.natsPid) : undefined;
    const r: LoopResult = await closedLoop(this.call, concurrency, ms);
    if (before !== undefined) {
      const per = cpuPerOp(before, await cpuMark(this.server, this.natsPid), r.calls);
      this.clientCpu.push(per.local);
      this.serverCpu.push(per.peer);
      this.natsCpu.push(per.nats);
    }
    this.callsPerSecond.push(r.callsPerSecond);
    this.p50.push(r.p50Us);
    this.p99.push(r.p99Us);
  }
}

/**
 * Unary calls: the raw pipe (one callback subscription per side, correlation
 * by reply suffix, no timer per call) and protonats `sayHello` on the
 * generated Greeter client, each server in its own process, measured in
 * interleaved rounds. CPU per call is taken during the 64-in-flight rounds.
 */
export async function unary(ctx: BenchContext): Promise<void> {
  const echo = await startWorker(here("../servers/raw-echo.ts"), [ctx.url, "bench.raw.echo"]);
  const greeter = await startWorker(here("../servers/greeter-server.ts"), [ctx.url]);
  // Its own connection, like an application's; the same options as the raw side.
  const nc = await connect({ servers: ctx.url, noAsyncTraces: true });
  const client = createGreeterClient(nc);
  try {
    for (const { label, bytes } of ctx.payloads) {
      const pipe = rawPipe(ctx.nc, "bench.raw.echo");
      const request = { name: "x".repeat(bytes.length) };
      const raw = () => pipe.call(bytes);
      const pn = () => client.sayHello(request);
      await closedLoop(raw, 64, 300); // warm-up (JIT, buffers)
      await closedLoop(pn, 64, 300);

      const measure = async (concurrency: number) => {
        const a = new Side(raw, echo, ctx.natsPid);
        const b = new Side(pn, greeter, ctx.natsPid);
        const cpu = concurrency === 64;
        await interleaved(ctx.rounds, [
          () => a.round(concurrency, ctx.roundMs, cpu),
          () => b.round(concurrency, ctx.roundMs, cpu),
        ]);
        return [a, b] as const;
      };
      const push = (
        name: string,
        unit: string,
        rawValues: number[],
        pnValues: number[],
        target?: ReturnType<typeof atLeast>,
      ) => {
        const base = figureOf(`raw pipe ${name}`, label, unit, rawValues);
        ctx.figures.push(
          base,
          compare(figureOf(`protonats ${name}`, label, unit, pnValues), base, target),
        );
      };

      const [rawSeq, pnSeq] = await measure(1);
      push("unary sequential", "calls/s", rawSeq.callsPerSecond, pnSeq.callsPerSecond);
      push("unary sequential p50", "µs", rawSeq.p50, pnSeq.p50, atMost(1.15));
      push("unary sequential p99", "µs", rawSeq.p99, pnSeq.p99);
      for (const inFlight of [64, 256]) {
        const [a, b] = await measure(inFlight);
        push(
          `unary ${inFlight} in flight`,
          "calls/s",
          a.callsPerSecond,
          b.callsPerSecond,
          atLeast(0.8),
        );
        if (inFlight === 64) {
          push("CPU per call, client process", "µs", a.clientCpu, b.clientCpu);
          push("CPU per call, server process", "µs", a.serverCpu, b.serverCpu);
          // On a 2-core machine the three share the CPU, so their sum bounds calls/s.
          push("CPU per call, nats-server", "µs", a.natsCpu, b.natsCpu);
        }
      }
      pipe.close();
    }
  } finally {
    await nc.close();
    await Promise.all([echo.stop(), greeter.stop()]);
  }
}
