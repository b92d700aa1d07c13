import { createInbox } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Greeter } from "../../generated/example/greeter/v1/greeter_pb.js";
import type { RpcError } from "../../runtime/errors/rpc-error.js";
import type { ServiceInfo } from "../../runtime/registry/registry.js";
import { type Supercluster, startSupercluster } from "../harness/nats-topology.js";
import { servedBy, share, TopologyApp, untilDiscovered } from "./support/topology-app.js";

/*
 * Two clusters joined by gateways: "east" (two servers) and "west" (one).
 * Measurements are printed as `[topology] ...` lines.
 */
describe("a supercluster of two clusters joined by gateways", () => {
  let sc: Supercluster;
  let app: TopologyApp;

  beforeAll(async () => {
    sc = await startSupercluster([{ name: "east", size: 2 }, { name: "west" }]);
  });
  afterAll(async () => {
    await sc?.stop();
  });
  afterEach(async () => {
    await app?.close();
  });

  const [east1, east2, west1] = ["east", "east", "west"].map(
    (cluster, i) => () => (sc.clusters[cluster] ?? [])[i === 1 ? 1 : 0]?.url as string,
  ) as [() => string, () => string, () => string];

  it("discovery crosses the gateway, nodes say where they are, and every call stays in the caller's cluster", async () => {
    app = new TopologyApp();
    await app.serveGreeter(await app.connect(east1()), "east-a");
    const west = app.client(await app.connect(west1()));
    // Cold lookup from west of a service that only east serves: across the gateway.
    const started = performance.now();
    const [info] = await west.rt.registry.getService(Greeter.typeName);
    const coldMs = performance.now() - started;
    expect(info?.nodes.map((n) => [n.id, n.locality?.cluster, n.locality?.server])).toEqual([
      ["east-a", "east", "east1"],
    ]);
    // No instance in west yet: west's calls spill over to east, and say so.
    expect(await servedBy(west.client, 5)).toEqual(Array(5).fill("east-a"));
    expect(west.selector.stats()).toMatchObject({ remote: 5, spills: { gone: 5 } });

    await app.serveGreeter(await app.connect(west1()), "west-a");
    // The client in east sits on the other east server than the instance: same cluster.
    const east = app.client(await app.connect(east2()));
    await untilDiscovered(east.rt, ["east-a", "west-a"]);
    await untilDiscovered(west.rt, ["east-a", "west-a"]);
    const fromEast = await servedBy(east.client, 100);
    const fromWest = await servedBy(west.client, 100);
    console.info(
      `[topology] supercluster: cold lookup across the gateway ${coldMs.toFixed(1)} ms; ` +
        `served locally: east ${share(fromEast, "east-a") * 100}%, west ${share(fromWest, "west-a") * 100}%`,
    );
    expect(share(fromEast, "east-a")).toBe(1);
    expect(share(fromWest, "west-a")).toBe(1);
    expect(east.selector.stats()).toMatchObject({ cluster: 100, remote: 0 });
    // The registry's bound for a cold lookup holds across the gateway.
    expect(coldMs).toBeLessThan(500);
    // Asked for, any node will do: both clusters serve.
    const anywhere = new Set<string>();
    for (let i = 0; i < 20; i++) {
      anywhere.add((await east.client.sayHello({ name: "x" }, { locality: "any" })).servedBy);
    }
    expect(anywhere).toEqual(new Set(["east-a", "west-a"]));
    // Or a given place: west's cluster, from east.
    const placed = await east.client.sayHello({ name: "x" }, { locality: { cluster: "west" } });
    expect(placed.servedBy).toBe("west-a");
    // Streams choose their node the same way.
    async function* names() {
      yield { name: "a" };
    }
    expect((await east.client.sayHelloToAll(names())).servedBy).toBe("east-a");
    expect((await west.client.sayHelloToAll(names())).servedBy).toBe("west-a");
    const streamed = await east.client.sayHelloToAll(names(), { locality: { cluster: "west" } });
    expect(streamed.servedBy).toBe("west-a");
  });

  it("$SRV, announcements and heartbeats cross the gateway: a remote crash expires within the TTL", async () => {
    app = new TopologyApp();
    const doomedConn = await app.connect(east1());
    await app.serveGreeter(doomedConn, "east-a");
    await app.serveGreeter(await app.connect(west1()), "west-a");
    const west = app.client(await app.connect(west1()));
    // `nats micro ping` from west sees both instances.
    const tool = await app.connect(west1());
    const inbox = createInbox();
    const pongs: string[] = [];
    tool.subscribe(inbox, {
      callback: (_e, m) => {
        pongs.push((m.json() as { id: string }).id);
      },
    });
    tool.publish("$SRV.PING.example-greeter-v1-Greeter", undefined, { reply: inbox });
    await waitFor(() => pongs.includes("east-a") && pongs.includes("west-a"));

    await west.rt.registry.getService(Greeter.typeName);
    const events: string[] = [];
    const watcher = west.rt.registry.watch({ service: Greeter.typeName });
    void (async () => {
      for await (const e of watcher) events.push(`${e.type}:${e.service.nodes[0]?.id}`);
    })();
    // Heartbeats across the gateway keep east's node alive in west's cache past its TTL.
    await new Promise((r) => setTimeout(r, 1_300));
    expect(nodeIds(await west.rt.registry.getService(Greeter.typeName))).toEqual([
      "east-a",
      "west-a",
    ]);
    // A crash in east (no deregistration): west's cache expires it within TTL + sweep.
    const crashedAt = performance.now();
    await doomedConn.close();
    await waitFor(() => events.includes("expire:east-a"), 3_000);
    const expiredMs = performance.now() - crashedAt;
    watcher.stop();
    expect(nodeIds(await west.rt.registry.getService(Greeter.typeName))).toEqual(["west-a"]);
    console.info(
      `[topology] supercluster: a crashed instance in east expired from west's cache after ${expiredMs.toFixed(0)} ms (TTL 1000 ms, sweep 100 ms)`,
    );
    expect(expiredMs).toBeLessThan(1_000 + 100 + 500);
  });

  it("the local instance dies: calls fail over to the other cluster without a failed call, and come back when a local one registers", async () => {
    app = new TopologyApp();
    const doomedConn = await app.connect(east1());
    await app.serveGreeter(doomedConn, "east-doomed");
    await app.serveGreeter(await app.connect(west1()), "west-a");
    const east = app.client(await app.connect(east2()));
    await untilDiscovered(east.rt, ["east-doomed", "west-a"]);
    expect(await servedBy(east.client, 10)).toEqual(Array(10).fill("east-doomed"));

    const calls: { at: number; ms: number; by?: string; error?: RpcError }[] = [];
    let stop = false;
    const worker = async () => {
      for (let i = 0; !stop; i++) {
        const at = performance.now();
        try {
          const res = await east.client.sayHello({ name: `w${i}` });
          calls.push({ at, ms: performance.now() - at, by: res.servedBy });
        } catch (error) {
          calls.push({ at, ms: performance.now() - at, error: error as RpcError });
        }
      }
    };
    const load = Promise.all([worker(), worker(), worker(), worker()]);
    await new Promise((r) => setTimeout(r, 200));
    // A crash: the instance's connection goes without deregistering.
    const killedAt = performance.now();
    await doomedConn.close();
    await waitFor(() => calls.some((c) => c.at > killedAt && c.by === "west-a"));
    const failedOverAt = calls.find((c) => c.at > killedAt && c.by === "west-a")?.at ?? NaN;
    await new Promise((r) => setTimeout(r, 300));
    const backAt = performance.now();
    await app.serveGreeter(await app.connect(east1()), "east-new");
    await waitFor(() => calls.some((c) => c.at > backAt && c.by === "east-new"));
    const backLocalAt = calls.find((c) => c.at > backAt && c.by === "east-new")?.at ?? NaN;
    await new Promise((r) => setTimeout(r, 200));
    stop = true;
    await load;

    const failed = calls.filter((c) => c.error);
    const slowest = Math.max(...calls.filter((c) => c.at >= killedAt - 50).map((c) => c.ms));
    const afterReturn = calls.filter((c) => c.at > backLocalAt + 50);
    console.info(
      `[topology] supercluster failover: ${calls.length} calls, ${failed.length} failed; ` +
        `first call served by the other cluster ${(failedOverAt - killedAt).toFixed(0)} ms after the crash, ` +
        `slowest call around it ${slowest.toFixed(0)} ms; back local ${(backLocalAt - backAt).toFixed(0)} ms ` +
        `after the new instance started; spills ${JSON.stringify(east.selector.stats().spills)}`,
    );
    expect(failed.map((c) => c.error?.message)).toEqual([]);
    expect(afterReturn.length).toBeGreaterThan(0);
    expect(
      share(
        afterReturn.map((c) => c.by as string),
        "east-new",
      ),
    ).toBe(1);
    expect(east.selector.stats().remote).toBeGreaterThan(0);
  });

  it("a cut gateway: each cluster keeps serving itself, a client that fails over to the other cluster follows it, and the link comes back", async () => {
    app = new TopologyApp();
    await app.serveGreeter(await app.connect(east1()), "east-a");
    await app.serveGreeter(await app.connect(west1()), "west-a");
    const east = app.client(await app.connect(east2()));
    // This west client and this west instance may fail over to east when their server goes.
    const roaming = app.client(await app.connect([west1(), east1()]));
    await app.serveGreeter(await app.connect([west1(), east1()]), "roamer");
    await untilDiscovered(roaming.rt, ["east-a", "west-a", "roamer"]);
    await untilDiscovered(east.rt, ["east-a", "west-a", "roamer"]);
    expect(new Set(await servedBy(roaming.client, 10))).toEqual(new Set(["west-a", "roamer"]));
    expect(roaming.rt.locality?.()?.cluster).toBe("west");
    expect(await servedBy(east.client, 10)).toEqual(Array(10).fill("east-a"));

    // Cut: west's only server (and with it the gateway) goes away.
    const westServer = sc.clusters.west?.[0];
    await westServer?.kill();
    // East is unaffected: its calls never needed the gateway, none fails, none goes
    // to west. (The roaming instance may already have moved to east: then it is local.)
    const duringCut = await servedBy(east.client, 20);
    expect(duringCut.filter((id) => id !== "east-a" && id !== "roamer")).toEqual([]);
    // The roaming client is now in east: its own cluster is east, so east serves it.
    await waitFor(
      () =>
        !roaming.rt.nc.isClosed() &&
        roaming.rt.nc.getServer().endsWith(String(sc.clusters.east?.[0]?.port)) &&
        // The new server's INFO arrives just after the socket is up.
        roaming.rt.locality?.()?.cluster === "east",
    );
    // The roaming instance re-announced itself from east: east's callers now count it as local.
    await waitFor(async () =>
      (await east.rt.registry.getService(Greeter.typeName))
        .flatMap((i) => i.nodes)
        .some((n) => n.id === "roamer" && n.locality?.cluster === "east"),
    );
    const inEast = new Set(["east-a", "roamer"]);
    expect(new Set(await servedBy(roaming.client, 10))).toEqual(inEast);
    expect(new Set(await servedBy(east.client, 10))).toEqual(inEast);

    // Restore: west restarts, its gateway reconnects, its instance re-announces.
    const restoredAt = performance.now();
    await westServer?.restart();
    const westClient = app.client(await app.connect(west1()));
    let across = 0;
    await waitFor(async () => {
      try {
        const res = await westClient.client.sayHello(
          { name: "x" },
          { locality: { cluster: "east" }, timeoutMs: 500 },
        );
        return res.servedBy === "east-a";
      } catch {
        return false;
      }
    });
    across = performance.now() - restoredAt;
    await waitFor(
      async () => (await westClient.client.sayHello({ name: "x" })).servedBy === "west-a",
    );
    expect(await servedBy(westClient.client, 20)).toEqual(Array(20).fill("west-a"));
    console.info(
      `[topology] gateway cut: east served locally throughout; after restart, first call across the gateway ${across.toFixed(0)} ms`,
    );
  });
});

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

function nodeIds(services: ServiceInfo[]): string[] {
  return services.flatMap((s) => s.nodes.map((n) => n.id)).sort();
}
