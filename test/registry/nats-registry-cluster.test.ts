import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code } from "../../runtime/errors/code.js";
import {
  NatsRegistry,
  type NatsRegistryOptions,
} from "../../runtime/nats/registry/nats-registry.js";
import { type NatsServerProcess, startNatsCluster } from "../harness/nats-server.js";
import { eventually, expectCode, nodeIds, nodeRecord, uniqueName } from "./registry-fixtures.js";

describe("NatsRegistry on a 3-node cluster", () => {
  let nodes: NatsServerProcess[];
  const connections: NatsConnection[] = [];
  const registries: NatsRegistry[] = [];

  /** A registry connected to cluster node `i` only, reconnecting to it forever. */
  async function registryOn(i: number, options: NatsRegistryOptions = {}): Promise<NatsRegistry> {
    const nc = await connect({
      servers: nodes[i]!.url,
      ignoreClusterUpdates: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 50,
    });
    connections.push(nc);
    const r = new NatsRegistry(nc, options);
    registries.push(r);
    return r;
  }

  beforeAll(async () => {
    nodes = await startNatsCluster(3);
  });
  afterAll(async () => {
    await Promise.all(registries.map((r) => r.close()));
    await Promise.all(connections.map((nc) => nc.close()));
    await Promise.all((nodes ?? []).map((n) => n.stop()));
  });

  it("finds the nodes registered on every server of the cluster", async () => {
    const name = uniqueName();
    for (const i of [0, 1, 2]) await (await registryOn(i)).register(nodeRecord(name, `on${i}`));
    // Interest in the query subject travels between servers asynchronously.
    await eventually(async () => {
      const client = await registryOn(0);
      expect(nodeIds(await client.getService(name))).toEqual(["on0", "on1", "on2"]);
    }, 5000);
  });

  it("drops a node whose process was killed from caches on other servers within the TTL", async () => {
    const name = uniqueName();
    const script = fileURLToPath(new URL("./fixtures/registering-process.ts", import.meta.url));
    const child = spawn(
      process.execPath,
      ["--import", "tsx", script, nodes[2]!.url, name, "child"],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        child.once("exit", (code) => reject(new Error(`child exited with ${code}`)));
        child.stdout?.on("data", (chunk: Buffer) => {
          if (chunk.toString().includes("registered")) resolve();
        });
      });
      const clients = [await registryOn(0), await registryOn(1)];
      await (await registryOn(1, { heartbeatIntervalMs: 100, ttlMs: 500 })).register(
        nodeRecord(name, "survivor"),
      );
      for (const c of clients) {
        await eventually(async () => {
          expect(nodeIds(await c.getService(name))).toEqual(["child", "survivor"]);
        }, 5000);
      }
      const killedAt = performance.now();
      child.kill("SIGKILL");
      const gone = await Promise.all(
        clients.map((c) =>
          eventually(async () => {
            expect(nodeIds(await c.getService(name))).toEqual(["survivor"]);
          }, 3000),
        ),
      );
      console.log(
        `killed process left caches on other servers after ${gone.map((g) => g.toFixed(0)).join(", ")} ms (ttl 500 ms, measured from the kill ${(performance.now() - killedAt).toFixed(0)} ms)`,
      );
      for (const g of gone) expect(g).toBeLessThan(500 + 700);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("after a reconnection, forgets nodes that left while its announcements were cut", async () => {
    const name = uniqueName();
    const home = await registryOn(1);
    await home.register(nodeRecord(name, "stays"));
    await home.register(nodeRecord(name, "leaves"));
    const client = await registryOn(0, { timeoutMs: 1000 });
    await eventually(async () => {
      expect(nodeIds(await client.getService(name))).toEqual(["leaves", "stays"]);
    }, 5000);

    await nodes[0]!.kill();
    // While cut off: the deregistration never reaches this client's cache.
    await eventually(async () => {
      await expectCode(client.getService(uniqueName("Unknown")), Code.Unavailable);
    }, 3000);
    await home.deregister(nodeRecord(name, "leaves"));
    // Still within TTL and cut off: served from what it knew.
    expect(nodeIds(await client.getService(name))).toEqual(["leaves", "stays"]);

    await nodes[0]!.restart();
    await eventually(async () => {
      expect(nodeIds(await client.getService(name))).toEqual(["stays"]);
    }, 8000);
  });
});
