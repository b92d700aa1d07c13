import { afterEach, describe, expect, it } from "vitest";
import { Code } from "../../runtime/errors/code.js";
import type { Registry, RegistryEvent } from "../../runtime/registry/registry.js";
import { serviceAddress } from "../../runtime/transport/subjects.js";
import { eventually, expectCode, nodeIds, nodeRecord, uniqueName } from "./registry-fixtures.js";

/**
 * Two registries that see the same services: `home` registers (like a
 * server), `peer` looks up (like a client in another process). They may be
 * the same object for an in-process registry.
 */
export interface RegistryPair {
  home: Registry;
  peer: Registry;
  /** Waits until subscriptions made so far are in effect (a NATS flush). */
  settle(): Promise<void>;
  /** Closes what `create` opened. */
  dispose(): Promise<void>;
}

/** How long an announcement may take to reach the peer (a network hop for NATS). */
const propagationMs = 1000;

/** The behaviour every Registry implementation shares. */
export function registryContract(label: string, create: () => Promise<RegistryPair>): void {
  describe(`Registry contract: ${label}`, () => {
    const opened: RegistryPair[] = [];
    const pair = async () => {
      const p = await create();
      opened.push(p);
      return p;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((p) => p.dispose()));
    });

    it("finds a registered node with its endpoints, metadata and descriptors", async () => {
      const { home, peer } = await pair();
      const name = uniqueName();
      const descriptors = new Uint8Array([10, 3, 1, 2, 3, 0, 255]);
      await home.register(nodeRecord(name, "n1", { descriptors, nodeMetadata: { zone: "a" } }));
      const [service, ...rest] = await peer.getService(name);
      expect(rest).toEqual([]);
      expect(service?.name).toBe(name);
      expect(service?.version).toBe("1.0.0");
      expect(service?.metadata).toEqual({ team: "core" });
      expect(service?.nodes).toMatchObject([
        { id: "n1", address: serviceAddress(undefined, name, "n1"), metadata: { zone: "a" } },
      ]);
      expect(
        service?.endpoints.map((e) => [e.name, e.kind, e.requestType, e.responseType]),
      ).toEqual([
        ["SayHello", "unary", "test.v1.SayHelloRequest", "test.v1.SayHelloResponse"],
        ["Chat", "bidi_streaming", "test.v1.ChatRequest", "test.v1.ChatResponse"],
      ]);
      expect(service?.fileDescriptors).toEqual(descriptors);
    });

    it("reports an unknown service as NotFound", async () => {
      const { home, peer } = await pair();
      await home.register(nodeRecord(uniqueName(), "other"));
      await expectCode(peer.getService(uniqueName("Missing")), Code.NotFound);
      // Asked twice: the negative answer is as truthful from the cache.
      await expectCode(peer.getService(uniqueName("Missing")), Code.NotFound);
    });

    it("aggregates the nodes of one version", async () => {
      const { home, peer } = await pair();
      const name = uniqueName();
      await home.register(nodeRecord(name, "a"));
      await home.register(nodeRecord(name, "b"));
      const found = await peer.getService(name);
      expect(found).toHaveLength(1);
      expect(nodeIds(found)).toEqual(["a", "b"]);
    });

    it("answers from its cache without a lookup only what getService answers", async () => {
      const { home, peer } = await pair();
      const name = uniqueName();
      await home.register(nodeRecord(name, "a", { version: "1.0.0" }));
      await home.register(nodeRecord(name, "b", { version: "2.0.0" }));
      const found = await peer.getService(name);
      // Optional in the contract: a registry without it is always asked through getService.
      if (peer.cachedService === undefined) return;
      expect(peer.cachedService(name)).toEqual(found);
      expect(peer.cachedService(name, { version: "2.0.0" })).toEqual(
        await peer.getService(name, { version: "2.0.0" }),
      );
      expect(peer.cachedService(name, { version: "3.0.0" })).toBeUndefined();
      expect(peer.cachedService(uniqueName("Missing"))).toBeUndefined();
    });

    it("keeps versions side by side and selects by version", async () => {
      const { home, peer } = await pair();
      const name = uniqueName();
      await home.register(nodeRecord(name, "old", { version: "1.0.0" }));
      await home.register(nodeRecord(name, "new", { version: "2.0.0" }));
      const all = await peer.getService(name);
      expect(all.map((s) => s.version).sort()).toEqual(["1.0.0", "2.0.0"]);
      const v2 = await peer.getService(name, { version: "2.0.0" });
      expect(v2.map((s) => [s.version, nodeIds([s])])).toEqual([["2.0.0", ["new"]]]);
      await expectCode(peer.getService(name, { version: "3.0.0" }), Code.NotFound);
    });

    it("selects nodes by metadata", async () => {
      const { home, peer } = await pair();
      const name = uniqueName();
      await home.register(
        nodeRecord(name, "east", { nodeMetadata: { zone: "east", tier: "gold" } }),
      );
      await home.register(
        nodeRecord(name, "west", { nodeMetadata: { zone: "west", tier: "gold" } }),
      );
      expect(nodeIds(await peer.getService(name, { metadata: { zone: "east" } }))).toEqual([
        "east",
      ]);
      expect(nodeIds(await peer.getService(name, { metadata: { tier: "gold" } }))).toEqual([
        "east",
        "west",
      ]);
      await expectCode(peer.getService(name, { metadata: { zone: "north" } }), Code.NotFound);
    });

    it("re-registering a node refreshes it instead of adding a duplicate", async () => {
      const { home, peer } = await pair();
      const name = uniqueName();
      await home.register(nodeRecord(name, "n1"));
      await home.register(nodeRecord(name, "n1"));
      expect(nodeIds(await peer.getService(name))).toEqual(["n1"]);
    });

    it("forgets a deregistered node, even one already looked up", async () => {
      const { home, peer } = await pair();
      const name = uniqueName();
      await home.register(nodeRecord(name, "stay"));
      await home.register(nodeRecord(name, "leave"));
      expect(nodeIds(await peer.getService(name))).toEqual(["leave", "stay"]);
      await home.deregister(nodeRecord(name, "leave"));
      await eventually(async () => {
        expect(nodeIds(await peer.getService(name))).toEqual(["stay"]);
      }, propagationMs);
      await home.deregister(nodeRecord(name, "stay"));
      await eventually(async () => {
        await expectCode(peer.getService(name), Code.NotFound);
      }, propagationMs);
    });

    it("lists services without file descriptors", async () => {
      const { home, peer } = await pair();
      const a = uniqueName("Alpha");
      const b = uniqueName("Beta");
      await home.register(nodeRecord(a, "a1", { descriptors: new Uint8Array([1, 2]) }));
      await home.register(nodeRecord(b, "b1"));
      const listed = await peer.listServices();
      const mine = listed.filter((s) => s.name === a || s.name === b);
      expect(mine.map((s) => s.name).sort()).toEqual([a, b].sort());
      for (const s of mine) expect(s.fileDescriptors).toBeUndefined();
    });

    it("streams register and deregister events to watchers until stopped", async () => {
      const { home, peer, settle } = await pair();
      const name = uniqueName();
      const watcher = peer.watch({ service: name });
      await settle();
      const seen: RegistryEvent[] = [];
      const done = (async () => {
        for await (const event of watcher) seen.push(event);
      })();
      await home.register(nodeRecord(uniqueName("Unrelated"), "x"));
      await home.register(nodeRecord(name, "n1"));
      await home.deregister(nodeRecord(name, "n1"));
      await eventually(() => expect(seen).toHaveLength(2), propagationMs);
      watcher.stop();
      await done;
      expect(seen.map((e) => [e.type, e.service.name, nodeIds([e.service])])).toEqual([
        ["register", name, ["n1"]],
        ["deregister", name, ["n1"]],
      ]);
    });
  });
}
