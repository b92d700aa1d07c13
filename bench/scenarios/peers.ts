import { fileURLToPath } from "node:url";
import { connect } from "@nats-io/transport-node";
import { ServiceBroker } from "moleculer";
import { createGreeterClient } from "../../generated/example/greeter/v1/greeter_nats.js";
import { closedLoop } from "../lib/closed-loop.js";
import type { BenchContext } from "../lib/context.js";
import { atLeast, compare, figureOf, interleaved } from "../lib/rounds.js";
import { startWorker } from "../lib/worker-process.js";
import { rawPipe } from "./raw-pipe.js";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** One contender's values, round by round. */
interface Contender {
  readonly name: string;
  readonly call: () => Promise<unknown>;
  readonly callsPerSecond: number[];
  readonly p50: number[];
}

function contender(name: string, call: () => Promise<unknown>): Contender {
  return { name, call, callsPerSecond: [], p50: [] };
}

/**
 * The echo servers a Node team would pick instead of protonats, measured in
 * the same interleaved rounds as the raw pipe and protonats (each server in
 * its own process): Moleculer 0.14 over NATS with its JSON serializer, and a
 * `@nats-io/services` endpoint called with nats.js `request()`. Sequential
 * p50 and calls/s at 64 and 256 in flight, each as a ratio to the raw pipe;
 * protonats is also held to Moleculer (>= 1.4x calls/s).
 */
export async function peers(ctx: BenchContext): Promise<void> {
  const echo = await startWorker(here("../servers/raw-echo.ts"), [ctx.url, "bench.peers.raw"]);
  const greeter = await startWorker(here("../servers/greeter-server.ts"), [ctx.url]);
  const moleculerServer = await startWorker(here("../servers/moleculer-echo.ts"), [ctx.url]);
  const services = await startWorker(here("../servers/services-echo.ts"), [
    ctx.url,
    "bench.peers.svc",
  ]);
  const nc = await connect({ servers: ctx.url, noAsyncTraces: true });
  const client = createGreeterClient(nc);
  const broker = new ServiceBroker({
    nodeID: `bench-${process.pid}`,
    transporter: { type: "NATS", options: { url: ctx.url } },
    serializer: "JSON",
    logger: false,
  });
  await broker.start();
  await broker.waitForServices(["echo"], 10_000);
  try {
    for (const { label, bytes } of ctx.payloads) {
      const pipe = rawPipe(ctx.nc, "bench.peers.raw");
      const text = "x".repeat(bytes.length);
      const request = { name: text };
      const params = { data: text };
      const all = [
        contender("raw pipe", () => pipe.call(bytes)),
        contender("protonats", () => client.sayHello(request)),
        contender("Moleculer 0.14 (NATS, JSON)", () => broker.call("echo.echo", params)),
        contender("@nats-io/services + request()", () =>
          nc.request("bench.peers.svc", bytes, { timeout: 5000 }),
        ),
      ];
      for (const c of all) await closedLoop(c.call, 64, 300); // warm-up (JIT, buffers)

      const [raw, protonats, moleculer] = all as [Contender, Contender, Contender];
      const measure = async (
        concurrency: number,
        into: (c: Contender) => number[],
        value: "callsPerSecond" | "p50Us",
      ) => {
        await interleaved(
          ctx.rounds,
          all.map((c) => async () => {
            into(c).push((await closedLoop(c.call, concurrency, ctx.roundMs))[value]);
          }),
        );
      };
      const push = (metric: string, unit: string, of: (c: Contender) => number[]) => {
        const base = figureOf(`peers: ${raw.name} ${metric}`, label, unit, of(raw));
        ctx.figures.push(base);
        for (const c of all.slice(1)) {
          ctx.figures.push(
            compare(figureOf(`peers: ${c.name} ${metric}`, label, unit, of(c)), base),
          );
        }
      };

      await measure(1, (c) => c.p50, "p50Us");
      push("unary sequential p50", "µs", (c) => c.p50);
      for (const inFlight of [64, 256]) {
        for (const c of all) c.callsPerSecond.length = 0;
        await measure(inFlight, (c) => c.callsPerSecond, "callsPerSecond");
        push(`unary ${inFlight} in flight`, "calls/s", (c) => c.callsPerSecond);
        const base = figureOf(
          `peers: ${moleculer.name} unary ${inFlight} in flight`,
          label,
          "calls/s",
          moleculer.callsPerSecond,
        );
        ctx.figures.push(
          compare(
            figureOf(
              `peers: protonats vs Moleculer unary ${inFlight} in flight`,
              label,
              "calls/s",
              protonats.callsPerSecond,
            ),
            base,
            atLeast(1.4),
          ),
        );
      }
      pipe.close();
    }
  } finally {
    await broker.stop();
    await nc.close();
    await Promise.all([echo.stop(), greeter.stop(), moleculerServer.stop(), services.stop()]);
  }
}
