import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Greeter } from "../../generated/example/greeter/v1/greeter_pb.js";
import {
  type LeafHub,
  startLeafHub,
  startLeafNode,
  type TopologyServer,
} from "../harness/nats-topology.js";
import { servedBy, share, TopologyApp, untilDiscovered } from "./support/topology-app.js";

/*
 * An edge site brought in as a leaf node of a hub server. A leaf server has
 * no cluster of its own: its INFO names it as its cluster, so callers on the
 * leaf and callers on the hub are in different places.
 */
describe("a leaf node connected to a hub", () => {
  let hub: LeafHub;
  let leaf: TopologyServer;
  let app: TopologyApp;

  beforeAll(async () => {
    hub = await startLeafHub("hub");
    leaf = await startLeafNode(hub, "edge");
  });
  afterAll(async () => {
    await Promise.all([leaf?.stop(), hub?.stop()]);
  });
  afterEach(async () => {
    await app?.close();
  });

  it("a service on the leaf is called from the hub, and one on the hub from the leaf", async () => {
    app = new TopologyApp();
    await app.serveGreeter(await app.connect(leaf.url), "on-leaf");
    const fromHub = app.client(await app.connect(hub.url));
    let started = performance.now();
    const [atLeaf] = await fromHub.rt.registry.getService(Greeter.typeName);
    const hubToLeafMs = performance.now() - started;
    expect(atLeaf?.nodes.map((n) => [n.id, n.locality?.cluster, n.locality?.server])).toEqual([
      ["on-leaf", "edge", "edge"],
    ]);
    expect(await servedBy(fromHub.client, 10)).toEqual(Array(10).fill("on-leaf"));

    // The other way round, in a fresh namespace: a service on the hub, a caller on the leaf.
    const other = new TopologyApp();
    try {
      await other.serveGreeter(await other.connect(hub.url), "on-hub");
      const fromLeaf = other.client(await other.connect(leaf.url));
      started = performance.now();
      const [atHub] = await fromLeaf.rt.registry.getService(Greeter.typeName);
      const leafToHubMs = performance.now() - started;
      expect(atHub?.nodes.map((n) => n.locality?.server)).toEqual(["hub"]);
      expect(await servedBy(fromLeaf.client, 10)).toEqual(Array(10).fill("on-hub"));
      console.info(
        `[topology] leaf node: cold lookup hub->leaf ${hubToLeafMs.toFixed(1)} ms, leaf->hub ${leafToHubMs.toFixed(1)} ms`,
      );
      expect(Math.max(hubToLeafMs, leafToHubMs)).toBeLessThan(500);
    } finally {
      await other.close();
    }
  });

  it("with an instance on each side, each side's calls stay on its side, and the leaf's fail over to the hub", async () => {
    app = new TopologyApp();
    const edgeConn = await app.connect(leaf.url);
    await app.serveGreeter(edgeConn, "on-leaf");
    await app.serveGreeter(await app.connect(hub.url), "on-hub");
    const fromLeaf = app.client(await app.connect(leaf.url));
    const fromHub = app.client(await app.connect(hub.url));
    await untilDiscovered(fromLeaf.rt, ["on-leaf", "on-hub"]);
    await untilDiscovered(fromHub.rt, ["on-leaf", "on-hub"]);
    const atLeaf = await servedBy(fromLeaf.client, 50);
    const atHub = await servedBy(fromHub.client, 50);
    console.info(
      `[topology] leaf node: served locally: leaf ${share(atLeaf, "on-leaf") * 100}%, hub ${share(atHub, "on-hub") * 100}%`,
    );
    expect(share(atLeaf, "on-leaf")).toBe(1);
    expect(share(atHub, "on-hub")).toBe(1);

    // The leaf's instance crashes: the leaf's callers go to the hub, none fails.
    const killedAt = performance.now();
    await edgeConn.close();
    const after = await servedBy(fromLeaf.client, 20);
    const failoverMs = performance.now() - killedAt;
    expect(after).toEqual(Array(20).fill("on-hub"));
    console.info(
      `[topology] leaf node: 20 calls after the leaf instance died took ${failoverMs.toFixed(0)} ms, none failed`,
    );
  });
});
