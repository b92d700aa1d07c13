import { describe, expect, it } from "vitest";
import { RecordRules } from "../../runtime/nats/registry/record-rules.js";
import { resolveRegistryLimits } from "../../runtime/nats/registry/registry-limits.js";
import { decodeAnnouncement, decodeAnswer } from "../../runtime/nats/registry/registry-wire.js";
import { serviceAddress } from "../../runtime/transport/subjects.js";

const name = "test.v1.Greeter";
const rules = new RecordRules("ns", resolveRegistryLimits({ maxTtlMs: 1000 }));
const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const node = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  address: serviceAddress("ns", name, id),
  metadata: {},
  ...extra,
});
const register = (service: Record<string, unknown>, ttl = 500) =>
  bytes({
    op: "register",
    registry: "r1",
    ttl,
    service: { name, version: "1", metadata: {}, endpoints: [], nodes: [node("a")], ...service },
  });
const decode = (data: Uint8Array) => decodeAnnouncement(data, rules, name);
const refusedFor = (data: Uint8Array) => {
  const result = decode(data);
  return result?.op === "refused" ? result.reason : undefined;
};

describe("registry records from peers", () => {
  it("accepts a well-formed record and clamps its TTL", () => {
    const result = decode(register({}, 1e15));
    expect(result).toMatchObject({ op: "register", ttl: 1000 });
  });

  it("refuses an address that is not derived from the node id", () => {
    expect(refusedFor(register({ nodes: [{ ...node("a"), address: "evil.inbox" }] }))).toMatch(
      /claims address evil\.inbox/,
    );
    expect(refusedFor(register({ nodes: [node("a.b")] }))).toMatch(/one subject token/);
  });

  it("refuses records beyond each bound", () => {
    const many = Array.from({ length: 65 }, (_, i) => node(`n${i}`));
    expect(refusedFor(register({ nodes: many }))).toMatch(/65 nodes/);
    expect(refusedFor(register({ version: "v".repeat(257) }))).toMatch(/version of 257/);
    const metadata = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, "v"]));
    expect(refusedFor(register({ metadata }))).toMatch(/65 entries/);
    expect(refusedFor(register({ metadata: { k: "v".repeat(1025) } }))).toMatch(/metadata value/);
    const endpoint = { name: "M", kind: "unary", requestType: "a.B", responseType: "a.C" };
    expect(refusedFor(register({ endpoints: Array(513).fill(endpoint) }))).toMatch(/513 endpoints/);
    expect(refusedFor(register({ nodes: [node("a", { seal: "not-hex" })] }))).toMatch(/seal/);
    const small = new RecordRules("ns", resolveRegistryLimits({ maxMessageBytes: 100 }));
    const big = decodeAnnouncement(register({}), small, name);
    expect(big).toMatchObject({ op: "refused", reason: expect.stringMatching(/maxMessageBytes/) });
  });

  it("refuses announcements about another service than their subject's", () => {
    const nodes = [{ id: "a", address: serviceAddress("ns", "test.v1.Other", "a"), metadata: {} }];
    expect(refusedFor(register({ name: "test.v1.Other", nodes }))).toMatch(
      /record of test\.v1\.Other/,
    );
    const beat = bytes({
      op: "heartbeat",
      registry: "r1",
      ttl: 500,
      nodes: [{ name: "test.v1.Other", version: "1", id: "a" }],
    });
    expect(refusedFor(beat)).toMatch(/heartbeat for test\.v1\.Other/);
  });

  it("keeps only the asked-for service from an answer", () => {
    const other = "test.v1.Other";
    const answer = bytes({
      registry: "r1",
      ttl: 500,
      services: [
        { name, version: "1", metadata: {}, endpoints: [], nodes: [node("a")] },
        {
          name: other,
          version: "1",
          metadata: {},
          endpoints: [],
          nodes: [{ id: "b", address: serviceAddress("ns", other, "b"), metadata: {} }],
        },
      ],
    });
    const result = decodeAnswer(answer, rules, name);
    expect(result && "services" in result ? result.services.map((s) => s.name) : []).toEqual([
      name,
    ]);
  });
});
