import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, nuid } from "@nats-io/transport-node";
import { OrderShippedEvent } from "../../generated/example/orders/v1/orders_nats.js";
import { closedLoop } from "../lib/closed-loop.js";
import type { BenchContext } from "../lib/context.js";
import { compare, figureOf, interleaved } from "../lib/rounds.js";

const inFlight = 64;

/**
 * Durable publishes per second, each acknowledged by JetStream (stored), 64
 * in flight: raw `js.publish()` with a `Nats-Msg-Id` (the same
 * de-duplication protonats asks for) against `OrderShippedEvent.publish`.
 * 100 B only: 10 KB messages would fill the disk for no new insight.
 */
export async function durablePublish(ctx: BenchContext): Promise<void> {
  const jsm = await jetstreamManager(ctx.nc);
  await jsm.streams.add({ name: "BENCH_RAW", subjects: ["bench.raw.durable"] });
  const js = jetstream(ctx.nc);
  const nc = await connect({ servers: ctx.url, noAsyncTraces: true });
  try {
    const size = 100;
    const payload = new Uint8Array(size).fill(7);
    const event = { orderId: "1", region: "eu", carrier: "x".repeat(size) };
    const raw = () => js.publish("bench.raw.durable", payload, { msgID: nuid.next() });
    const pn = () => OrderShippedEvent.publish(nc, event);
    await closedLoop(raw, inFlight, 300); // warm-up; also creates the ORDERS stream
    await closedLoop(pn, inFlight, 300);
    const rawRates: number[] = [];
    const pnRates: number[] = [];
    await interleaved(ctx.rounds, [
      async () => {
        rawRates.push((await closedLoop(raw, inFlight, ctx.roundMs)).callsPerSecond);
      },
      async () => {
        pnRates.push((await closedLoop(pn, inFlight, ctx.roundMs)).callsPerSecond);
      },
    ]);
    const base = figureOf(
      `raw JetStream publish ${inFlight} in flight`,
      "100 B",
      "msgs/s",
      rawRates,
    );
    ctx.figures.push(
      base,
      compare(
        figureOf(
          `protonats durable event publish ${inFlight} in flight`,
          "100 B",
          "msgs/s",
          pnRates,
        ),
        base,
      ),
    );
  } finally {
    await nc.close();
    await jsm.streams.delete("BENCH_RAW").catch(() => undefined);
  }
}
