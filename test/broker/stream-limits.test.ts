import { jetstreamManager } from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import type { BrokerLogger } from "../../runtime/broker/report.js";
import { defaultStreamLimits } from "../../runtime/broker/stream-limits.js";
import { Code } from "../../runtime/errors/code.js";
import { RpcError } from "../../runtime/errors/rpc-error.js";
import { NatsBroker } from "../../runtime/nats/broker/nats-broker.js";
import { connectionsPerTest } from "../support/connections-per-test.js";
import { bytes } from "./support.js";

const nats = connectionsPerTest({ jetstream: true });
const brokers: NatsBroker[] = [];

afterEach(async () => {
  await Promise.all(brokers.splice(0).map((b) => b.close()));
});

function warnings(): BrokerLogger & { warned: string[] } {
  const warned: string[] = [];
  return { warned, error() {}, warn: (message) => void warned.push(message) };
}

async function broker(logger: BrokerLogger): Promise<NatsBroker> {
  const b = new NatsBroker(await nats.connect(), { logger });
  brokers.push(b);
  return b;
}

describe("limits of the JetStream streams protonats creates", () => {
  it("a created stream gets the default limits, or the ones asked for", async () => {
    const b = await broker(warnings());
    await b.publish("lim.a.one", bytes("x"), {
      durable: true,
      stream: "LIM_A",
      streamSubject: "lim.a.>",
    });
    await b.publish("lim.b.one", bytes("x"), {
      durable: true,
      stream: "LIM_B",
      streamSubject: "lim.b.>",
      streamLimits: { maxAgeMs: 60_000, maxBytes: 0 },
    });
    const jsm = await jetstreamManager(await nats.connect());
    const a = (await jsm.streams.info("LIM_A")).config;
    expect(a.max_age).toBe(nanos(defaultStreamLimits.maxAgeMs));
    expect(a.max_bytes).toBe(defaultStreamLimits.maxBytes);
    const lb = (await jsm.streams.info("LIM_B")).config;
    expect(lb.max_age).toBe(nanos(60_000));
    expect(lb.max_bytes).toBe(-1);
  });

  it("an existing stream with other limits is left unchanged and reported once", async () => {
    const jsm = await jetstreamManager(await nats.connect());
    await jsm.streams.add({ name: "LIM_C", subjects: ["lim.c.>"] });
    const logger = warnings();
    const b = await broker(logger);
    await b.publish("lim.c.one", bytes("x"), {
      durable: true,
      stream: "LIM_C",
      streamSubject: "lim.c.>",
    });
    await b.publish("lim.c.two", bytes("x"), {
      durable: true,
      stream: "LIM_C",
      streamSubject: "lim.c.>",
    });
    expect(logger.warned).toHaveLength(1);
    expect(logger.warned[0]).toMatch(
      /LIM_C exists with other limits.*max age unlimited ms, expected 604800000 ms/,
    );
    const c = (await jsm.streams.info("LIM_C")).config;
    expect(c.max_age).toBe(0);
    expect(c.max_bytes).toBe(-1);
  });

  it("a negative limit is refused before anything is created", async () => {
    const b = await broker(warnings());
    const publish = b.publish("lim.d.one", bytes("x"), {
      durable: true,
      stream: "LIM_D",
      streamLimits: { maxAgeMs: -1 },
    });
    await expect(publish).rejects.toBeInstanceOf(RpcError);
    await expect(publish).rejects.toMatchObject({ code: Code.InvalidArgument });
    const jsm = await jetstreamManager(await nats.connect());
    await expect(jsm.streams.info("LIM_D")).rejects.toThrow();
  });
});
