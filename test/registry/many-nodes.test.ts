import { connect, createInbox, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code } from "../../runtime/errors/code.js";
import { NatsRegistry } from "../../runtime/nats/registry/nats-registry.js";
import { registryLimitDefaults } from "../../runtime/nats/registry/registry-limits.js";
import { type NatsServerProcess, startNatsServer } from "../harness/nats-server.js";
import { eventually, expectCode, nodeRecord, uniqueName } from "./registry-fixtures.js";

/** More nodes than one registry message may carry (64 by default). */
const count = 150;
const perMessage = registryLimitDefaults.maxNodesPerMessage;
const descriptors = new Uint8Array(2_000).fill(9);
const decoder = new TextDecoder();

interface Json {
  more?: boolean;
  op?: string;
  nodes?: unknown[];
  services?: { fileDescriptors?: string; nodes: unknown[] }[];
  service?: { fileDescriptors?: string };
}

describe("NatsRegistry with more nodes in one process than one message carries", () => {
  let server: NatsServerProcess;
  const connections: NatsConnection[] = [];

  async function connection(): Promise<NatsConnection> {
    const nc = await connect({ servers: server.url });
    connections.push(nc);
    return nc;
  }

  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    await Promise.all(connections.map((nc) => nc.close()));
    await server?.stop();
  });

  it("answers in parts of shared records, keeps every node alive with parted heartbeats, and withdraws them all", async () => {
    const name = uniqueName();
    const watcher = await connection();
    const announcements: Json[] = [];
    watcher.subscribe(`pn.registry.watch.${name}`, {
      callback: (_err, msg) => {
        announcements.push(JSON.parse(decoder.decode(msg.data)) as Json);
      },
    });
    await watcher.flush();

    const owner = new NatsRegistry(await connection(), { heartbeatIntervalMs: 100, ttlMs: 500 });
    const records = Array.from({ length: count }, (_, i) =>
      nodeRecord(name, `n${i}`, { descriptors }),
    );
    for (const record of records) await owner.register(record);
    await watcher.flush();

    // Descriptors are shared by every node of a version: announced once, not per node.
    const registers = announcements.filter((a) => a.op === "register");
    expect(registers).toHaveLength(count);
    expect(registers.filter((a) => a.service?.fileDescriptors !== undefined)).toHaveLength(1);

    // A raw get: parts of at most 64 records, `more` on all but the last, descriptors once.
    const asker = await connection();
    const inbox = createInbox();
    const parts: Json[] = [];
    asker.subscribe(inbox, {
      callback: (_err, msg) => {
        parts.push(JSON.parse(decoder.decode(msg.data)) as Json);
      },
    });
    asker.publish(`pn.registry.get.${name}`, JSON.stringify({ op: "get", name }), {
      reply: inbox,
    });
    const nodesIn = (part: Json) => part.services!.reduce((n, s) => n + s.nodes.length, 0);
    await eventually(() => {
      expect(parts.reduce((n, p) => n + nodesIn(p), 0)).toBe(count);
    }, 2000);
    expect(parts).toHaveLength(Math.ceil(count / perMessage));
    for (const part of parts) expect(nodesIn(part)).toBeLessThanOrEqual(perMessage);
    expect(parts.map((p) => p.more === true)).toEqual([true, true, false]);
    // Nodes of one version share a record: name, version and endpoints are not repeated per node.
    expect(parts.flatMap((p) => p.services!)).toHaveLength(Math.ceil(count / perMessage));
    const described = parts.flatMap((p) => p.services!).filter((s) => s.fileDescriptors);
    expect(described).toHaveLength(1);

    // A fresh registry's first lookup takes every part of the answer, descriptors included.
    const looker = new NatsRegistry(await connection());
    const found = await looker.getService(name);
    expect(found).toHaveLength(1);
    expect(found[0]!.nodes).toHaveLength(count);
    expect(found[0]!.fileDescriptors).toEqual(descriptors);

    // Several TTLs later every node is still alive: heartbeats were not refused as too large.
    await new Promise((r) => setTimeout(r, 1_200));
    expect((await looker.getService(name))[0]!.nodes).toHaveLength(count);
    const beats = announcements.filter((a) => a.op === "heartbeat");
    expect(beats.length).toBeGreaterThan(0);
    for (const beat of beats) expect(beat.nodes!.length).toBeLessThanOrEqual(perMessage);

    // Withdrawing all of them at once (one record listing every node) reaches every cache.
    await owner.deregister({ ...records[0]!, nodes: records.flatMap((r) => r.nodes) });
    await eventually(async () => {
      await expectCode(looker.getService(name), Code.NotFound);
    }, 2000);
    for (const d of announcements.filter((a) => a.op === "deregister")) {
      expect(d.nodes!.length).toBeLessThanOrEqual(perMessage);
    }
    await looker.close();
    await owner.close();
  });
});
