import { createUser } from "@nats-io/nkeys";
import { nuid } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { Code } from "../../runtime/errors/code.js";
import { NatsRegistry } from "../../runtime/nats/registry/nats-registry.js";
import { registrySubjects } from "../../runtime/nats/registry/registry-subjects.js";
import type { RegistryEvent } from "../../runtime/registry/registry.js";
import { natsSuite } from "../support/nats-suite.js";
import { eventually, expectCode, nodeIds, nodeRecord, uniqueName } from "./registry-fixtures.js";

/*
 * Signed records on a server without per-service permissions: a cache that
 * trusts the owner's nkey for a service refuses every record and heartbeat of
 * it not signed by that key; a cache without trusted keys (the contrast)
 * accepts what the attacker sends.
 */

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const seedOf = (pair: ReturnType<typeof createUser>) => new TextDecoder().decode(pair.getSeed());
const fast = { heartbeatIntervalMs: 100, ttlMs: 500 };

describe("signed registry records", () => {
  const suite = natsSuite({ clientConnection: true });

  async function setup() {
    const namespace = `sig${nuid.next().slice(-8).toLowerCase()}`;
    const name = uniqueName();
    const owner = createUser();
    const intruder = createUser();
    const homeConn = await suite.nats.connect();
    const attackerConn = await suite.nats.connect();
    const home = new NatsRegistry(homeConn, {
      namespace,
      ...fast,
      signing: { seed: seedOf(owner) },
    });
    const strict = new NatsRegistry(suite.clientConn, {
      namespace,
      signing: { trusted: { [name]: [owner.getPublicKey()] } },
    });
    const lax = new NatsRegistry(suite.clientConn, { namespace });
    const attacker = new NatsRegistry(attackerConn, {
      namespace,
      ...fast,
      signing: { seed: seedOf(intruder) },
    });
    const refused: string[] = [];
    void (async () => {
      for await (const e of strict.watch() as AsyncIterable<RegistryEvent>) {
        if (e.type === "refused") refused.push(e.reason);
      }
    })();
    suite.cleanup(() => Promise.all([home.close(), strict.close(), lax.close(), attacker.close()]));
    return { namespace, name, home, homeConn, strict, lax, attacker, attackerConn, refused };
  }

  it("trusts only records signed by the service's key", async () => {
    const { namespace, name, home, strict, lax, attacker, attackerConn, refused } = await setup();
    await home.register(nodeRecord(name, "real", { namespace }));
    expect(nodeIds(await strict.getService(name))).toEqual(["real"]);
    expect(nodeIds(await lax.getService(name))).toEqual(["real"]);
    // Signed, but by a key not trusted for the service.
    await attacker.register(nodeRecord(name, "impostor", { namespace }));
    // Unsigned, and a copy of the real record with its metadata changed.
    const subject = registrySubjects(namespace).watch(name);
    const [real] = await strict.getService(name);
    attackerConn.publish(
      subject,
      json({
        op: "register",
        registry: "evil",
        ttl: 500,
        service: nodeRecord(name, "bare", { namespace }),
      }),
    );
    attackerConn.publish(
      subject,
      json({
        op: "register",
        registry: "evil",
        ttl: 500,
        service: { ...real, metadata: { team: "evil" } },
      }),
    );
    await attackerConn.flush();
    await eventually(
      async () => expect(nodeIds(await lax.getService(name))).toContain("impostor"),
      2_000,
    );
    await eventually(() => expect(refused.length).toBeGreaterThanOrEqual(3), 2_000);
    expect(refused.join("\n")).toMatch(/not trusted/);
    expect(refused.join("\n")).toMatch(/unsigned/);
    expect(refused.join("\n")).toMatch(/bad signature/);
    expect(nodeIds(await strict.getService(name))).toEqual(["real"]);
    // A cold lookup by a fresh strict cache does not take the impostor's answer either.
    const fresh = new NatsRegistry(suite.clientConn, {
      namespace,
      signing: { trusted: { "*": [(await strict.getService(name))[0]!.signature!.signer] } },
    });
    expect(nodeIds(await fresh.getService(name))).toEqual(["real"]);
    await fresh.close();
  });

  it("forged heartbeats cannot keep a crashed node alive", async () => {
    const { namespace, name, home, homeConn, strict, lax, attackerConn } = await setup();
    await home.register(nodeRecord(name, "mortal", { namespace }));
    await strict.getService(name);
    await lax.getService(name);
    const subject = registrySubjects(namespace).watch(name);
    const forge = setInterval(() => {
      attackerConn.publish(
        subject,
        json({
          op: "heartbeat",
          registry: "evil",
          ttl: 500,
          nodes: [{ name, version: "1.0.0", id: "mortal" }],
        }),
      );
    }, 100);
    try {
      await homeConn.close(); // a crash: no deregister
      const gone = await eventually(async () => {
        await expectCode(strict.getService(name), Code.NotFound);
      }, 3_000);
      console.log(
        `signed: crashed node gone ${gone.toFixed(0)} ms after the crash despite forged heartbeats`,
      );
      // Without trusted keys the forged heartbeats keep it alive.
      expect(nodeIds(await lax.getService(name))).toEqual(["mortal"]);
    } finally {
      clearInterval(forge);
    }
  });
});
