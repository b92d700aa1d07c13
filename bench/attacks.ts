/**
 * What hostile stream opens cost a server: run with
 * `node --expose-gc --import tsx bench/attacks.ts [opens]`.
 *
 * 1. One `SayHelloStream` open with `Pn-Window: 1e12` (a million responses
 *    asked for): the longest event-loop stall while the server sends, and RSS.
 * 2. `opens` (default 20 000) raw `Chat` opens asking `Pn-Heartbeat: 60000`
 *    from one connection that never answers: heap held, how many the server
 *    accepts, and how long until it has reaped them (capped at 60 s). With
 *    `spread` as second argument every open uses a reply prefix of its own,
 *    as if from as many client connections.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { connect, headers, nuid } from "@nats-io/transport-node";
import { natsRuntime } from "../runtime/nats/nats-runtime.js";
import { defineService } from "../runtime/server/define-service.js";
import { serve } from "../runtime/server/serve.js";
import { serviceAddress } from "../runtime/transport/subjects.js";
import { startNatsServer } from "../test/harness/nats-server.js";
import { Greeter, greeterHandlers } from "../test/rpc/support/greeter.js";

const opens = Number(process.argv[2] ?? 20_000);
const spread = process.argv[3] === "spread";
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;

const nats = await startNatsServer();
const serverConn = await connect({ servers: nats.url });
const attacker = await connect({ servers: nats.url });
const rt = natsRuntime(serverConn, { namespace: "atk" });
let finished = 0;
const server = await serve(rt, [defineService(Greeter, greeterHandlers("s"))], {
  observers: [{ callFinished: () => finished++ }],
});

function open(
  method: string,
  extra: Record<string, string>,
  body?: Uint8Array,
  reply = `_INBOX.atk.${nuid.next()}`,
): void {
  const h = headers();
  h.set("Pn-Frame", "open");
  h.set("Pn-Method", `/example.greeter.v1.Greeter/${method}`);
  for (const [k, v] of Object.entries(extra)) h.set(k, v);
  // Nobody listens on the reply subject: whatever the server sends is dropped by NATS.
  attacker.publish(
    serviceAddress("atk", "example.greeter.v1.Greeter", server.id),
    body ?? new Uint8Array(0),
    {
      reply,
      headers: h,
    },
  );
}

// 1. Huge window.
{
  gc();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  // A 10 ms ticker: the longest gap between its ticks is the longest stall.
  let lastTick = performance.now();
  let stall = 0;
  const sampler = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - lastTick);
    lastTick = now;
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  }, 10);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const started = performance.now();
  const before = finished;
  // SayHelloRequest { name: "x" (field 1), count: 1 000 000 (field 2) }
  const body = new Uint8Array([0x0a, 0x01, 0x78, 0x10, 0xc0, 0x84, 0x3d]);
  open("SayHelloStream", { "Pn-Window": "1000000000000", "Pn-Heartbeat": "5000" }, body);
  await attacker.flush();
  while (finished === before && performance.now() - started < 60_000) await sleep(20);
  const took = performance.now() - started;
  await sleep(50); // Lets the ticker see the stall that just ended.
  delay.disable();
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  console.log(
    `window 1e12: stream ran ${(took / 1000).toFixed(1)} s, longest event-loop stall ` +
      `${stall.toFixed(0)} ms (event-loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(0)} ms), ` +
      `RSS ${mb(rssBefore)} -> peak ${mb(rssPeak)}`,
  );
}

// 2. Mass opens with the longest heartbeat.
{
  await sleep(500);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage().rss;
  const before = finished;
  for (let i = 0; i < opens; i++) {
    const reply = spread ? `_INBOX.${nuid.next()}.1` : undefined;
    open("Chat", { "Pn-Heartbeat": "60000" }, undefined, reply);
    if (i % 1000 === 999) await attacker.flush();
  }
  await attacker.flush();
  await sleep(1000);
  gc();
  const heapHeld = process.memoryUsage().heapUsed - heapBefore;
  const rssHeld = process.memoryUsage().rss - rssBefore;
  const refusedAtOnce = finished - before;
  const started = performance.now();
  while (finished - before < opens && performance.now() - started < 60_000) await sleep(100);
  const reaped = finished - before;
  console.log(
    `${opens} opens asking Pn-Heartbeat 60000${spread ? " (a reply prefix each)" : ""}: ` +
      `${opens - refusedAtOnce} held open, ` +
      `heap +${mb(heapHeld)}, RSS +${mb(rssHeld)}; ` +
      (reaped >= opens
        ? `all gone ${((performance.now() - started) / 1000).toFixed(1)} s later`
        : `${opens - reaped} still open after 60 s`),
  );
}

await server.stop({ graceMs: 0 });
await attacker.close();
await serverConn.close();
await nats.stop();
process.exit(0);
