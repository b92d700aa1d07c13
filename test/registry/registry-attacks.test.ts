import type { NatsConnection } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { createClient } from "../../runtime/client/create-client.js";
import { Code } from "../../runtime/errors/code.js";
import { NatsRegistry } from "../../runtime/nats/registry/nats-registry.js";
import { sealOf } from "../../runtime/nats/registry/record-rules.js";
import { registrySubjects } from "../../runtime/nats/registry/registry-subjects.js";
import type { RegistryEvent, ServiceInfo } from "../../runtime/registry/registry.js";
import { serviceAddress } from "../../runtime/transport/subjects.js";
import { Greeter, sleep } from "../rpc/support/greeter.js";
import { natsSuite } from "../support/nats-suite.js";
import { serveGreeter } from "../support/served-greeter.js";
import { eventually, expectCode, nodeIds, nodeRecord, uniqueName } from "./registry-fixtures.js";

/*
 * What a hostile user of the same NATS account (no permissions) can send to
 * the registry. Each attack used to rewrite every client's view of a live
 * service; now it is refused, reported as a `refused` event, and calls keep
 * reaching the real node.
 */

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** Collects the `refused` events of a registry. */
function refusals(registry: { watch(): AsyncIterable<RegistryEvent> }): string[] {
  const seen: string[] = [];
  void (async () => {
    for await (const e of registry.watch()) if (e.type === "refused") seen.push(e.reason);
  })();
  return seen;
}

/** A subscription of the attacker's counting what reaches it. */
function trap(nc: NatsConnection, subject: string): { count: number } {
  const caught = { count: 0 };
  nc.subscribe(subject, {
    callback: () => {
      caught.count++;
    },
  });
  return caught;
}

describe("registry attacks by another user of the account", () => {
  const suite = natsSuite({ clientConnection: true });

  async function victim() {
    const served = await serveGreeter(suite);
    const attacker = await suite.nats.connect();
    suite.cleanup(() => attacker.close());
    const subjects = registrySubjects(served.crt.namespace);
    const client = createClient(Greeter, served.crt);
    const [record] = await served.crt.registry.getService(Greeter.typeName);
    return { ...served, attacker, subjects, client, record: record! };
  }

  /** Runs `n` calls; returns how many succeeded. */
  async function calls(client: ReturnType<typeof createClient<typeof Greeter>>, n: number) {
    let ok = 0;
    for (let i = 0; i < n; i++) {
      const res = await client.sayHello({ name: `c${i}` }).catch(() => undefined);
      if (res?.message.includes("c")) ok++;
    }
    return ok;
  }

  it("an announcement reusing a live node's id cannot move it to another address", async () => {
    const { attacker, subjects, client, record, crt, server } = await victim();
    const seen = refusals(crt.registry);
    const stolen = trap(attacker, "evil.address");
    const derived = serviceAddress(crt.namespace, Greeter.typeName, server.id);
    for (const address of ["evil.address", derived]) {
      const forged: ServiceInfo = {
        ...record,
        nodes: [{ id: server.id, address, metadata: {}, seal: "0".repeat(64) }],
      };
      attacker.publish(
        subjects.watch(Greeter.typeName),
        json({ op: "register", registry: "evil", ttl: 15_000, service: forged }),
      );
    }
    await attacker.flush();
    await eventually(() => expect(seen.length).toBeGreaterThanOrEqual(2), 2_000);
    expect(await calls(client, 50)).toBe(50);
    console.log(`hijack by id reuse: ${stolen.count} of 50 calls reached the attacker`);
    expect(stolen.count).toBe(0);
    const [after] = await crt.registry.getService(Greeter.typeName);
    expect(after?.nodes.map((n) => n.address)).toEqual([derived]);
  });

  it("a forged answer cannot win a cold lookup", async () => {
    const { attacker, subjects, server, srt, record } = await victim();
    // The attacker answers every lookup of the service, faster than the node.
    attacker.subscribe(subjects.get(Greeter.typeName), {
      callback: (_err, msg) => {
        const forged = {
          ...record,
          nodes: [{ id: server.id, address: "evil.address", metadata: {} }],
        };
        msg.respond(json({ registry: "evil", ttl: 15_000, services: [forged] }));
      },
    });
    await attacker.flush();
    let won = 0;
    for (let i = 0; i < 20; i++) {
      const fresh = new NatsRegistry(suite.clientConn, { namespace: srt.namespace! });
      const [found] = await fresh.getService(Greeter.typeName);
      if (found?.nodes.some((n) => n.address === "evil.address")) won++;
      await fresh.close();
    }
    console.log(`forged answers winning a cold lookup: ${won} of 20`);
    expect(won).toBe(0);
  });

  it("a forged deregister does not remove a live node", async () => {
    const { attacker, subjects, client, record, crt, server } = await victim();
    const seen = refusals(crt.registry);
    attacker.publish(
      subjects.watch(Greeter.typeName),
      json({
        op: "deregister",
        name: Greeter.typeName,
        version: record.version,
        nodes: [{ id: server.id, key: "guessed" }],
      }),
    );
    await attacker.flush();
    await eventually(() => expect(seen).toHaveLength(1), 2_000);
    expect(seen[0]).toContain("without its key");
    expect(await calls(client, 20)).toBe(20);
  });

  it("one announcement of 10,000 fake nodes is refused whole", async () => {
    const { attacker, subjects, client, record, crt } = await victim();
    const seen = refusals(crt.registry);
    const nodes = Array.from({ length: 10_000 }, (_, i) => ({
      id: `fake${i}`,
      address: `pn.node.fake${i}`,
      metadata: {},
    }));
    const flood = json({
      op: "register",
      registry: "evil",
      ttl: 15_000,
      service: { ...record, nodes },
    });
    attacker.publish(subjects.watch(Greeter.typeName), flood);
    await attacker.flush();
    await eventually(() => expect(seen).toHaveLength(1), 2_000);
    const started = performance.now();
    const ok = await calls(client, 100);
    console.log(
      `after a ${Math.round(flood.length / 1024)} KB announcement of 10,000 nodes: ${100 - ok} of 100 calls failed (${(performance.now() - started).toFixed(0)} ms)`,
    );
    expect(ok).toBe(100);
    const [after] = await crt.registry.getService(Greeter.typeName);
    expect(after?.nodes).toHaveLength(1);
  });

  it("a forged heartbeat with a huge TTL cannot keep a dead node alive", async () => {
    const [rt] = suite.scope(suite.clientConn);
    const ns = rt!.namespace!;
    const name = uniqueName();
    const homeConn = await suite.nats.connect();
    const home = new NatsRegistry(homeConn, {
      namespace: ns,
      heartbeatIntervalMs: 100,
      ttlMs: 500,
    });
    const client = new NatsRegistry(suite.clientConn, {
      namespace: ns,
      heartbeatIntervalMs: 100,
      ttlMs: 500,
      limits: { maxTtlMs: 1_000 },
    });
    const attacker = await suite.nats.connect();
    try {
      await home.register(nodeRecord(name, "mortal", { namespace: ns }));
      expect(await client.getService(name)).toHaveLength(1);
      attacker.publish(
        registrySubjects(ns).watch(name),
        json({
          op: "heartbeat",
          registry: "evil",
          ttl: 1e15,
          nodes: [{ name, version: "1.0.0", id: "mortal" }],
        }),
      );
      await attacker.flush();
      await homeConn.close(); // a crash: no deregister
      const gone = await eventually(async () => {
        await expectCode(client.getService(name), Code.NotFound);
      }, 3_000);
      console.log(
        `node with a forged ttl 1e15 heartbeat gone ${gone.toFixed(0)} ms after the crash`,
      );
    } finally {
      await Promise.all([home.close(), client.close(), attacker.close()]);
    }
  });

  it("bounds the nodes of one service", async () => {
    const [rt] = suite.scope(suite.clientConn);
    const ns = rt!.namespace!;
    const name = uniqueName();
    const home = new NatsRegistry(suite.conn, { namespace: ns });
    const client = new NatsRegistry(suite.clientConn, {
      namespace: ns,
      limits: { maxNodesPerService: 3 },
    });
    try {
      const seen = refusals(client);
      expect(await client.getService(name).catch(() => [])).toEqual([]);
      for (let i = 0; i < 5; i++) await home.register(nodeRecord(name, `n${i}`, { namespace: ns }));
      await eventually(() => expect(seen).toHaveLength(2), 2_000);
      const [found] = await client.getService(name);
      expect(found?.nodes).toHaveLength(3);
    } finally {
      await Promise.all([home.close(), client.close()]);
    }
  });

  it("a last part forged under a real instance's id does not cut its parted answer short", async () => {
    const [rt] = suite.scope(suite.clientConn);
    const ns = rt!.namespace!;
    const name = uniqueName();
    const subjects = registrySubjects(ns);
    const sealed = (id: string): ServiceInfo => {
      const record = nodeRecord(name, id, { namespace: ns });
      for (const node of record.nodes) node.seal = sealOf(`key-${id}`);
      return record;
    };
    // The real instance, played here so its timing is exact: a two-part answer
    // (the second 100 ms after the first), both parts under one answer id.
    const real = await suite.nats.connect();
    const forger = await suite.nats.connect();
    const registry = "real-instance";
    const pending: Promise<void>[] = [];
    real.subscribe(subjects.get(name), {
      callback: (_err, msg) => {
        const reply = msg.reply;
        if (!reply) return;
        const answer = "answer-of-this-query";
        real.publish(
          reply,
          json({ answer, registry, ttl: 15_000, more: true, services: [sealed("first-part")] }),
        );
        pending.push(
          (async () => {
            await real.flush();
            // The forger knows the registry id (ids are public), not the answer id.
            await sleep(20);
            forger.publish(reply, json({ answer: "forged", registry, ttl: 15_000, services: [] }));
            forger.publish(reply, json({ registry, ttl: 15_000, services: [] }));
            await forger.flush();
            await sleep(80);
            real.publish(
              reply,
              json({ answer, registry, ttl: 15_000, services: [sealed("second-part")] }),
            );
          })(),
        );
      },
    });
    await real.flush();
    // A quiet window of 20 ms: a lookup believing the answer complete at the
    // forged part ends ~60 ms before the real last part arrives.
    const asker = new NatsRegistry(suite.clientConn, {
      namespace: ns,
      quietMs: 20,
      timeoutMs: 2_000,
    });
    try {
      const found = await asker.getService(name);
      expect(nodeIds(found)).toEqual(["first-part", "second-part"]);
    } finally {
      await Promise.all(pending);
      await Promise.all([asker.close(), real.close(), forger.close()]);
    }
  });

  it("a forged seal in a cold lookup's answers does not let the forger deregister the node", async () => {
    const { attacker, subjects, server, srt, record } = await victim();
    const key = "attacker-key";
    const address = serviceAddress(srt.namespace, Greeter.typeName, server.id);
    attacker.subscribe(subjects.get(Greeter.typeName), {
      callback: (_err, msg) => {
        const forged = {
          ...record,
          nodes: [{ id: server.id, address, metadata: {}, seal: sealOf(key) }],
        };
        msg.respond(json({ registry: "evil", ttl: 15_000, services: [forged] }));
      },
    });
    await attacker.flush();
    let removed = 0;
    for (let i = 0; i < 10; i++) {
      const fresh = new NatsRegistry(suite.clientConn, { namespace: srt.namespace! });
      await fresh.getService(Greeter.typeName);
      await fresh.getService(Greeter.typeName);
      attacker.publish(
        subjects.watch(Greeter.typeName),
        json({
          op: "deregister",
          name: Greeter.typeName,
          version: record.version,
          nodes: [{ id: server.id, key }],
        }),
      );
      await attacker.flush();
      await sleep(20);
      const found = await fresh.getService(Greeter.typeName).catch(() => []);
      if (found.length === 0) removed++;
      await fresh.close();
    }
    console.log(
      `forged seal + deregister removed the live node from ${removed} of 10 fresh caches`,
    );
    expect(removed).toBe(0);
  });
});
