// `npm run bench [-- --quick]`: starts a local nats-server, measures raw NATS
// baselines and protonats in the same run, prints a table and writes
// bench/results/latest.{json,md}.
import { fileURLToPath } from "node:url";
import { connect } from "@nats-io/transport-node";
import { startNatsServer } from "../test/harness/nats-server.js";
import type { BenchContext } from "./lib/context.js";
import { type Figure, machine, toMarkdown, writeResults } from "./lib/report.js";
import { baselines } from "./scenarios/baselines.js";
import { delivery } from "./scenarios/delivery.js";
import { durablePublish } from "./scenarios/durable-publish.js";
import { idleStreams } from "./scenarios/idle-streams.js";
import { locality } from "./scenarios/locality.js";
import { lookup } from "./scenarios/lookup.js";
import { peers } from "./scenarios/peers.js";
import { registryScale } from "./scenarios/registry-scale.js";
import { unary } from "./scenarios/unary.js";

const quick = process.argv.includes("--quick");
const server = await startNatsServer({ jetstream: true });
const nc = await connect({ servers: server.url, noAsyncTraces: true });
const figures: Figure[] = [];
const ctx: BenchContext = {
  url: server.url,
  natsPid: server.pid,
  nc,
  quick,
  roundMs: quick ? 500 : 2000,
  rounds: quick ? 2 : 3,
  payloads: [
    { label: "100 B", bytes: new Uint8Array(100).fill(7) },
    { label: "10 KB", bytes: new Uint8Array(10_240).fill(7) },
  ],
  figures,
  find: (name, payload) => figures.find((f) => f.name === name && f.payload === payload),
};

let only: string[] | undefined;
try {
  const started = Date.now();
  // `--only=unary,lookup` runs some scenarios (while working on one of them).
  only = process.argv
    .find((a) => a.startsWith("--only="))
    ?.slice(7)
    .split(",");
  const scenarios = {
    baselines,
    unary,
    peers,
    delivery,
    durablePublish,
    lookup,
    registryScale,
    idleStreams,
    locality,
  };
  for (const [name, scenario] of Object.entries(scenarios)) {
    if (only && !only.includes(name)) continue;
    const t0 = Date.now();
    await scenario(ctx);
    console.error(`${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const meta = { ...machine(), quick, seconds: Math.round((Date.now() - started) / 1000) };
  console.log(toMarkdown(figures, meta));
  // A partial run must not replace the figures of a complete one, and a quick
  // run's figures (short rounds) go beside the full run's, not over them.
  if (!only) {
    const dir = fileURLToPath(new URL("./results", import.meta.url));
    writeResults(dir, quick ? "quick" : "latest", figures, meta);
  }
} finally {
  await nc.close();
  await server.stop();
}
