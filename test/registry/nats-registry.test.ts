import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code } from "../../runtime/errors/code.js";
import type { NatsRegistryOptions } from "../../runtime/nats/registry/nats-registry.js";
import { NatsRegistry } from "../../runtime/nats/registry/nats-registry.js";
import type { RegistryEvent } from "../../runtime/registry/registry.js";
import { type NatsServerProcess, startNatsServer } from "../harness/nats-server.js";
import { eventually, expectCode, nodeIds, nodeRecord, uniqueName } from "./registry-fixtures.js";

/** Short heartbeats so that expiry is observable within a test. */
const fast: NatsRegistryOptions = { heartbeatIntervalMs: 100, ttlMs: 500, sweepIntervalMs: 50 };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

describe("NatsRegistry on one server", () => {
  let server: NatsServerProcess;
  const connections: NatsConnection[] = [];
  const registries: NatsRegistry[] = [];

  async function registry(options: NatsRegistryOptions = {}): Promise<NatsRegistry> {
    const nc = await connect({ servers: server.url });
    connections.push(nc);
    const r = new NatsRegistry(nc, options);
    registries.push(r);
    return r;
  }

  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    await Promise.all(registries.map((r) => r.close()));
    await Promise.all(connections.map((nc) => nc.close()));
    await server?.stop();
  });

  it("answers cold lookups soon after the answers are in, far below the timeout", async () => {
    const names = Array.from({ length: 30 }, () => uniqueName());
    for (const id of ["i1", "i2", "i3"]) {
      const instance = await registry();
      for (const name of names) await instance.register(nodeRecord(name, id));
    }
    // Nodes of other services answer too (with nothing), as in a real system.
    await (await registry()).register(nodeRecord(uniqueName("Other"), "o1"));
    const nc = await connect({ servers: server.url });
    connections.push(nc);
    const report = (label: string, timings: number[]) => {
      timings.sort((a, b) => a - b);
      console.log(
        `${label}: p50 ${percentile(timings, 0.5).toFixed(2)} ms, p90 ${percentile(timings, 0.9).toFixed(2)} ms, max ${percentile(timings, 1).toFixed(2)} ms`,
      );
      return percentile(timings, 0.5);
    };

    // The first lookup of a registry knows no instance yet: it waits for the quiet window.
    // Under load an instance may answer after the window: that lookup misses it, the
    // registry still takes its late answer, and the next lookup includes it.
    const first: number[] = [];
    let incomplete = 0;
    const fresh: NatsRegistry[] = [];
    for (const name of names) {
      const r = new NatsRegistry(nc, { timeoutMs: 1000 });
      fresh.push(r);
      registries.push(r);
      const started = performance.now();
      const found = await r.getService(name);
      first.push(performance.now() - started);
      expect(found.length).toBe(1);
      if (found[0]!.nodes.length < 3) incomplete++;
    }
    for (const [i, r] of fresh.entries()) {
      await eventually(async () => {
        expect(nodeIds(await r.getService(names[i]!))).toEqual(["i1", "i2", "i3"]);
      }, 1000);
      await r.close();
    }
    // Later cold lookups end when every known instance has answered.
    const warmRegistry = new NatsRegistry(nc, { timeoutMs: 1000 });
    registries.push(warmRegistry);
    await warmRegistry.getService(uniqueName("Warmup")).catch(() => {});
    await new Promise((r) => setTimeout(r, 50));
    const later: number[] = [];
    for (const name of names) {
      const started = performance.now();
      const found = await warmRegistry.getService(name);
      later.push(performance.now() - started);
      if (found[0]!.nodes.length < 3) incomplete++;
    }
    console.log(`lookups that missed a late instance: ${incomplete} of ${names.length * 2}`);
    expect(incomplete).toBeLessThan(names.length);
    expect(report("first lookup of a registry, 3 instances", first)).toBeLessThan(100);
    expect(report("cold lookup of a new name, 3 instances", later)).toBeLessThan(100);
  });

  it("answers repeated lookups from its cache without touching the network", async () => {
    const name = uniqueName();
    await (await registry()).register(nodeRecord(name, "n1"));
    const client = await registry();
    await client.getService(name);
    await expectCode(client.getService(uniqueName("Missing")), Code.NotFound);
    const nc = client.nc;
    await nc.flush();
    const before = nc.stats().outMsgs;
    const lookups = 10_000;
    const started = performance.now();
    for (let i = 0; i < lookups; i++) await client.getService(name);
    const elapsed = performance.now() - started;
    expect(nc.stats().outMsgs).toBe(before);
    console.log(`cached lookup: ${((elapsed * 1000) / lookups).toFixed(2)} µs each`);
    // The unchanged message count proves no lookup used the network; the time
    // bound (300 µs each, ~50x what an idle machine needs) catches a slow path.
    expect(elapsed).toBeLessThan(3000);
  });

  it("returns NotFound at once when no node at all listens", async () => {
    const lonely = await startNatsServer();
    const nc = await connect({ servers: lonely.url });
    try {
      const r = new NatsRegistry(nc, { timeoutMs: 2000 });
      const started = performance.now();
      await expectCode(r.getService(uniqueName()), Code.NotFound);
      expect(performance.now() - started).toBeLessThan(1000);
      await r.close();
    } finally {
      await nc.close();
      await lonely.stop();
    }
  });

  it("reports Unavailable when nodes listen but none answers in time", async () => {
    const mute = await connect({ servers: server.url, name: "mute" });
    connections.push(mute);
    const ns = "mute";
    mute.subscribe(`${ns}.pn.registry.get.>`);
    await mute.flush();
    const r = await registry({ namespace: ns, timeoutMs: 200 });
    const err = await expectCode(r.getService(uniqueName()), Code.Unavailable);
    expect(err.message).toContain("200 ms");
  });

  it("reports Unavailable, not NotFound, on a closed connection", async () => {
    const r = await registry();
    await r.nc.close();
    await expectCode(r.getService(uniqueName()), Code.Unavailable);
    await expectCode(r.listServices(), Code.Unavailable);
    await expectCode(r.register(nodeRecord(uniqueName(), "x")), Code.Unavailable);
    expect(() => r.watch()).toThrow(/unavailable/);
  });

  it("drops a crashed node from every cache within its TTL and reports it expired", async () => {
    const name = uniqueName();
    const survivor = await registry(fast);
    await survivor.register(nodeRecord(name, "alive"));
    const doomed = await registry(fast);
    await doomed.register(nodeRecord(name, "doomed"));
    const watchers = [await registry(), await registry()];
    for (const w of watchers)
      expect(nodeIds(await w.getService(name))).toEqual(["alive", "doomed"]);
    const expired: RegistryEvent[] = [];
    const watcher = watchers[0]!.watch({ service: name });
    void (async () => {
      for await (const e of watcher) if (e.type === "expire") expired.push(e);
    })();
    // Outlive two TTLs: heartbeats keep live nodes in the caches.
    await new Promise((r) => setTimeout(r, 1000));
    for (const w of watchers)
      expect(nodeIds(await w.getService(name))).toEqual(["alive", "doomed"]);

    // A crash: the connection goes away without a deregistration.
    const crashedAt = performance.now();
    await doomed.nc.close();
    const gone = await Promise.all(
      watchers.map((w) =>
        eventually(async () => {
          expect(nodeIds(await w.getService(name))).toEqual(["alive"]);
        }, 3000),
      ),
    );
    await eventually(
      () => expect(expired.map((e) => nodeIds([e.service]))).toEqual([["doomed"]]),
      3000,
    );
    const expiredAfter = performance.now() - crashedAt;
    watcher.stop();
    console.log(
      `crashed node left the caches after ${gone.map((g) => g.toFixed(0)).join(", ")} ms (ttl 500 ms), expire event after ${expiredAfter.toFixed(0)} ms`,
    );
    // Bound: ttl after the last heartbeat (lookups), plus one sweep for the event; slack for a busy machine.
    for (const g of gone) expect(g).toBeLessThan(500 + 700);
  });

  it("removes a deregistered node from warm caches at once", async () => {
    const name = uniqueName();
    const home = await registry();
    await home.register(nodeRecord(name, "a"));
    await home.register(nodeRecord(name, "b"));
    const clients = [await registry(), await registry()];
    for (const c of clients) await c.getService(name);
    const started = performance.now();
    await home.deregister(nodeRecord(name, "a"));
    const took = await Promise.all(
      clients.map((c) =>
        eventually(async () => {
          expect(nodeIds(await c.getService(name))).toEqual(["b"]);
        }, 1000),
      ),
    );
    console.log(
      `deregistered node left warm caches after ${took.map((t) => t.toFixed(2)).join(", ")} ms (deregister call ${(performance.now() - started).toFixed(2)} ms)`,
    );
    // "At once": one message hop, far below any TTL; generous for a busy machine.
    for (const t of took) expect(t).toBeLessThan(250);
  });

  it("learns of a node registered after the first lookup without asking again", async () => {
    const name = uniqueName();
    const home = await registry();
    await home.register(nodeRecord(name, "first"));
    const client = await registry();
    await client.getService(name);
    await home.register(nodeRecord(name, "second"));
    await eventually(async () => {
      expect(nodeIds(await client.getService(name))).toEqual(["first", "second"]);
    }, 1000);
  });

  it("isolates namespaces sharing one server", async () => {
    const name = uniqueName();
    const staging = await registry({ namespace: "staging" });
    const prod = await registry({ namespace: "prod" });
    await staging.register(nodeRecord(name, "s1", { namespace: "staging" }));
    await prod.register(nodeRecord(uniqueName("Other"), "p1", { namespace: "prod" }));
    const stagingClient = await registry({ namespace: "staging" });
    const prodClient = await registry({ namespace: "prod" });
    expect(nodeIds(await stagingClient.getService(name))).toEqual(["s1"]);
    await expectCode(prodClient.getService(name), Code.NotFound);
    const listed = await prodClient.listServices();
    expect(listed.map((s) => s.name)).not.toContain(name);
  });

  it("rejects a lookup whose signal is aborted as Canceled", async () => {
    const r = await registry();
    const controller = new AbortController();
    controller.abort();
    await expectCode(r.getService(uniqueName(), { signal: controller.signal }), Code.Canceled);
  });

  it("rejects options that would expire live nodes", () => {
    expect(
      () => new NatsRegistry(connections[0]!, { heartbeatIntervalMs: 1000, ttlMs: 1000 }),
    ).toThrow(RangeError);
  });
});

describe("NatsRegistry while NATS restarts", () => {
  it("serves fresh cached nodes, reports Unavailable otherwise, and recovers", async () => {
    const server = await startNatsServer();
    const opts = { servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 50 };
    const homeNc = await connect(opts);
    const clientNc = await connect(opts);
    const home = new NatsRegistry(homeNc, { heartbeatIntervalMs: 200, ttlMs: 5000 });
    const client = new NatsRegistry(clientNc, { timeoutMs: 300 });
    try {
      const name = uniqueName();
      await home.register(nodeRecord(name, "n1"));
      expect(nodeIds(await client.getService(name))).toEqual(["n1"]);

      await server.kill();
      // Known and within its TTL: still the best answer while reconnecting.
      await eventually(async () => {
        await expectCode(client.getService(uniqueName("Unknown")), Code.Unavailable);
      }, 3000);
      expect(nodeIds(await client.getService(name))).toEqual(["n1"]);

      await server.restart();
      await eventually(async () => {
        expect(nodeIds(await client.getService(name))).toEqual(["n1"]);
        await expectCode(client.getService(uniqueName("Unknown")), Code.NotFound);
      }, 5000);
    } finally {
      await Promise.all([home.close(), client.close()]);
      await Promise.all([homeNc.close(), clientNc.close()]);
      await server.stop();
    }
  });

  it("registers and deregisters during an outage without hanging, announcing on reconnection", async () => {
    const server = await startNatsServer();
    const opts = { servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 50 };
    const homeNc = await connect(opts);
    const clientNc = await connect(opts);
    const home = new NatsRegistry(homeNc);
    const client = new NatsRegistry(clientNc);
    try {
      const name = uniqueName();
      await home.register(nodeRecord(name, "before"));
      await server.kill();
      await eventually(async () => {
        await expectCode(client.getService(uniqueName("Unknown")), Code.Unavailable);
        await expectCode(home.getService(uniqueName("Unknown")), Code.Unavailable);
      }, 3000);
      await home.register(nodeRecord(name, "during"));
      await home.deregister(nodeRecord(name, "before"));
      await server.restart();
      await eventually(async () => {
        expect(nodeIds(await client.getService(name))).toEqual(["during"]);
      }, 5000);
    } finally {
      await Promise.all([home.close(), client.close()]);
      await Promise.all([homeNc.close(), clientNc.close()]);
      await server.stop();
    }
  });
});
