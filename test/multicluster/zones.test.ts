import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Greeter } from "../../generated/example/greeter/v1/greeter_pb.js";
import { type Supercluster, startSupercluster } from "../harness/nats-topology.js";
import { servedBy, TopologyApp, untilDiscovered } from "./support/topology-app.js";

/*
 * Three clusters in two zones: "east" and "north" in zone eu, "west" in zone
 * us. With no instance in its own cluster, a caller prefers its zone.
 */
describe("a supercluster spread over zones", () => {
  let sc: Supercluster;
  let app: TopologyApp;

  beforeAll(async () => {
    sc = await startSupercluster([{ name: "east" }, { name: "north" }, { name: "west" }]);
  });
  afterAll(async () => {
    await app?.close();
    await sc?.stop();
  });

  it("without an instance in its cluster, a caller goes to its zone before anywhere else", async () => {
    app = new TopologyApp();
    const url = (cluster: string) => sc.urls(cluster)[0] as string;
    await app.serveGreeter(await app.connect(url("north")), "north-a", "eu");
    await app.serveGreeter(await app.connect(url("west")), "west-a", "us");
    const east = app.client(await app.connect(url("east")), "eu");
    await untilDiscovered(east.rt, ["north-a", "west-a"]);
    const [info] = await east.rt.registry.getService(Greeter.typeName);
    expect(info?.nodes.map((n) => [n.id, n.locality?.cluster, n.locality?.zone]).sort()).toEqual([
      ["north-a", "north", "eu"],
      ["west-a", "west", "us"],
    ]);
    expect(await servedBy(east.client, 20)).toEqual(Array(20).fill("north-a"));
    expect(east.selector.stats()).toMatchObject({ cluster: 0, zone: 20, remote: 0 });
    // A caller of another zone with no instance in it: anywhere.
    const elsewhere = app.client(await app.connect(url("east")), "ap");
    await untilDiscovered(elsewhere.rt, ["north-a", "west-a"]);
    expect(new Set(await servedBy(elsewhere.client, 20))).toEqual(new Set(["north-a", "west-a"]));
    // And a call may ask for a zone.
    const us = await east.client.sayHello({ name: "x" }, { locality: { zone: "us" } });
    expect(us.servedBy).toBe("west-a");
  });
});
