import { fileURLToPath } from "node:url";
import { connect } from "@nats-io/transport-node";
import { createGreeterClient } from "../../generated/example/greeter/v1/greeter_nats.js";
import type { BenchContext } from "../lib/context.js";
import { atLeast, compare, figureOf, interleaved } from "../lib/rounds.js";
import { startWorker } from "../lib/worker-process.js";
import { bidiEcho } from "./bidi-echo.js";
import { eventDelivery } from "./event-delivery.js";
import { rawPublishSubscribe } from "./raw-pubsub.js";
import { serverStreaming } from "./server-streaming.js";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * Many messages one way: raw publish→subscribe, typed events publish→deliver,
 * a server stream and a bidi echo stream, in interleaved rounds, each
 * producer in its own process and every consumer here.
 */
export async function delivery(ctx: BenchContext): Promise<void> {
  const rawPublisher = await startWorker(here("../servers/raw-publisher.ts"), [
    ctx.url,
    "bench.raw.events",
  ]);
  const eventPublisher = await startWorker(here("../servers/event-publisher.ts"), [ctx.url]);
  const greeter = await startWorker(here("../servers/greeter-server.ts"), [ctx.url]);
  const nc = await connect({ servers: ctx.url, noAsyncTraces: true });
  const client = createGreeterClient(nc);
  try {
    // Counts sized so that each round lasts about as long on every side (raw
    // NATS delivers several times faster than protonats does today).
    const scale = ctx.quick ? 1 : 3;
    // A quick run keeps to 100 B: 10 KB deliveries take long and add little.
    const payloads = ctx.quick ? ctx.payloads.slice(0, 1) : ctx.payloads;
    for (const { label, bytes } of payloads) {
      const size = bytes.length;
      const large = size > 1000;
      const count = scale * (large ? 5_000 : 40_000);
      const streamCount = scale * (large ? 3_000 : 10_000);
      const raw: number[] = [];
      const events: number[] = [];
      const eventsOneByOne: number[] = [];
      const streaming: number[] = [];
      const bidi: number[] = [];
      // Warm-up: JIT, connection buffers, the client's first lookup.
      await serverStreaming(client, 2000, size);
      await bidiEcho(client, 1000, size);
      await eventDelivery(nc, eventPublisher, 2000, size);
      await interleaved(ctx.rounds, [
        async () => {
          raw.push(
            await rawPublishSubscribe(ctx.nc, rawPublisher, "bench.raw.events", count, size),
          );
        },
        async () => {
          events.push(await eventDelivery(nc, eventPublisher, count, size));
        },
        async () => {
          eventsOneByOne.push(await eventDelivery(nc, eventPublisher, streamCount, size, true));
        },
        async () => {
          streaming.push(await serverStreaming(client, streamCount, size));
        },
        async () => {
          bidi.push(await bidiEcho(client, streamCount, size));
        },
      ]);
      const base = figureOf("raw publish→subscribe", label, "msgs/s", raw);
      ctx.figures.push(
        base,
        compare(
          figureOf("protonats event publish→deliver", label, "msgs/s", events),
          base,
          atLeast(0.7),
        ),
        compare(
          figureOf(
            "protonats event publish→deliver, each publish awaited",
            label,
            "msgs/s",
            eventsOneByOne,
          ),
          base,
        ),
        compare(
          figureOf("protonats server streaming", label, "msgs/s", streaming),
          base,
          atLeast(0.5),
        ),
        compare(figureOf("protonats bidi echo", label, "msgs/s", bidi), base),
      );
    }
  } finally {
    await nc.close();
    await Promise.all([rawPublisher.stop(), eventPublisher.stop(), greeter.stop()]);
  }
}
