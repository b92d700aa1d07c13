import { describe, expect, it } from "vitest";
import { ServiceCache } from "../../runtime/nats/registry/service-cache.js";
import { nodeIds, nodeRecord } from "./registry-fixtures.js";

describe("ServiceCache", () => {
  it("returns the same snapshot until something changes or a node expires", () => {
    const cache = new ServiceCache();
    cache.upsert(nodeRecord("s", "a"), 1000, 0);
    const first = cache.live("s", 10);
    expect(cache.live("s", 20)).toBe(first);
    cache.upsert(nodeRecord("s", "b"), 1000, 30);
    const second = cache.live("s", 40);
    expect(second).not.toBe(first);
    expect(nodeIds(second)).toEqual(["a", "b"]);
    // a expires at 1000, b at 1030.
    expect(nodeIds(cache.live("s", 1000))).toEqual(["b"]);
    expect(cache.live("s", 1030)).toEqual([]);
  });

  it("keeps a node alive with heartbeats and reports unknown ones", () => {
    const cache = new ServiceCache();
    cache.upsert(nodeRecord("s", "a"), 100, 0);
    expect(cache.touch({ name: "s", version: "1.0.0", id: "a" }, 100, 90)).toBe(true);
    expect(nodeIds(cache.live("s", 150))).toEqual(["a"]);
    expect(cache.touch({ name: "s", version: "1.0.0", id: "zz" }, 100, 90)).toBe(false);
  });

  it("sweeps expired nodes once, grouped by version, without descriptors", () => {
    const cache = new ServiceCache();
    cache.upsert(nodeRecord("s", "a", { descriptors: new Uint8Array([1]) }), 100, 0);
    cache.upsert(nodeRecord("s", "b", { version: "2.0.0" }), 100, 0);
    cache.upsert(nodeRecord("s", "c"), 500, 0);
    const gone = cache.sweep(200);
    expect(gone.map((s) => [s.version, nodeIds([s]), s.fileDescriptors])).toEqual([
      ["1.0.0", ["a"], undefined],
      ["2.0.0", ["b"], undefined],
    ]);
    expect(cache.sweep(200)).toEqual([]);
    expect(nodeIds(cache.live("s", 200))).toEqual(["c"]);
  });

  it("keeps descriptors learned from a get when a list answer refreshes the node", () => {
    const cache = new ServiceCache();
    cache.upsert(nodeRecord("s", "a", { descriptors: new Uint8Array([9]) }), 100, 0);
    cache.upsert(nodeRecord("s", "a"), 100, 10);
    expect(cache.live("s", 20)[0]?.fileDescriptors).toEqual(new Uint8Array([9]));
  });

  it("remembers authority, also for names without nodes, until marked stale", () => {
    const cache = new ServiceCache();
    cache.markAuthoritative("missing");
    expect(cache.isAuthoritative("missing")).toBe(true);
    expect(cache.live("missing", 0)).toEqual([]);
    cache.upsert(nodeRecord("s", "a"), 100, 0);
    cache.markAuthoritative("s");
    cache.markAllStale();
    expect(cache.isAuthoritative("missing")).toBe(false);
    expect(cache.isAuthoritative("s")).toBe(false);
    expect(nodeIds(cache.live("s", 0))).toEqual(["a"]);
  });

  it("prunes only nodes whose own instance answered without them", () => {
    const cache = new ServiceCache();
    cache.upsert(nodeRecord("s", "left"), 1000, 0, "r1");
    cache.upsert(nodeRecord("s", "stays"), 1000, 0, "r1");
    cache.upsert(nodeRecord("s", "slow"), 1000, 0, "r2");
    // Query at t=50: r1 answered with "stays" only; r2 did not answer in time.
    cache.upsert(nodeRecord("s", "stays"), 1000, 60, "r1");
    const gone = cache.pruneAbsent("s", new Set(["r1"]), 50);
    expect(gone.flatMap((s) => nodeIds([s]))).toEqual(["left"]);
    expect(nodeIds(cache.live("s", 100))).toEqual(["slow", "stays"]);
  });
});
