import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { NatsRegistry } from "../../runtime/nats/registry/nats-registry.js";
import { startNatsServer } from "../harness/nats-server.js";
import { nodeIds, nodeRecord, uniqueName } from "./registry-fixtures.js";

describe("NatsRegistry robustness", () => {
  it("ignores malformed queries and announcements from foreign publishers", async () => {
    const server = await startNatsServer();
    const nc = await connect({ servers: server.url });
    const home = new NatsRegistry(nc);
    const client = new NatsRegistry(nc);
    try {
      const name = uniqueName();
      await home.register(nodeRecord(name, "n1"));
      expect(nodeIds(await client.getService(name))).toEqual(["n1"]);
      const inbox = "_INBOX.foreign";
      for (const garbage of ["", "not json", "[]", "{}", '{"op":"get"}', '{"op":"register"}']) {
        nc.publish(`pn.registry.get.${name}`, garbage, { reply: inbox });
        nc.publish("pn.registry.list", garbage, { reply: inbox });
        nc.publish(`pn.registry.watch.${name}`, garbage);
      }
      nc.publish(
        `pn.registry.watch.${name}`,
        JSON.stringify({ op: "deregister", service: { name, version: 7, nodes: "n1" } }),
      );
      nc.publish(
        `pn.registry.watch.${name}`,
        JSON.stringify({ op: "deregister", name, version: 7, nodes: [{ id: "n1" }] }),
      );
      await nc.flush();
      expect(nodeIds(await client.getService(name))).toEqual(["n1"]);
      const fresh = new NatsRegistry(nc);
      expect(nodeIds(await fresh.getService(name))).toEqual(["n1"]);
      await fresh.close();
    } finally {
      await Promise.all([home.close(), client.close()]);
      await nc.close();
      await server.stop();
    }
  });

  it("answers without file descriptors when they would exceed max_payload", async () => {
    const dir = mkdtempSync(join(tmpdir(), "protonats-conf-"));
    const conf = join(dir, "small.conf");
    writeFileSync(conf, "max_payload: 4096\n");
    const server = await startNatsServer({ args: ["-c", conf] });
    const homeNc = await connect({ servers: server.url });
    const clientNc = await connect({ servers: server.url });
    const home = new NatsRegistry(homeNc);
    const client = new NatsRegistry(clientNc);
    try {
      const big = uniqueName("Big");
      const small = uniqueName("Small");
      const descriptors = new Uint8Array(8000).fill(7);
      await home.register(nodeRecord(big, "b1", { descriptors }));
      await home.register(nodeRecord(small, "s1", { descriptors: new Uint8Array([1, 2, 3]) }));
      const [found] = await client.getService(big);
      expect(nodeIds([found!])).toEqual(["b1"]);
      expect(found?.fileDescriptors).toBeUndefined();
      const [fits] = await client.getService(small);
      expect(fits?.fileDescriptors).toEqual(new Uint8Array([1, 2, 3]));
    } finally {
      await Promise.all([home.close(), client.close()]);
      await Promise.all([homeNc.close(), clientNc.close()]);
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
