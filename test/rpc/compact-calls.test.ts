import type { Msg } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { createClient } from "../../runtime/client/create-client.js";
import type { Registry, ServiceInfo } from "../../runtime/registry/registry.js";
import { compactCallsKey, encodeCompactCall } from "../../runtime/wire/compact-call.js";
import { natsSuite } from "../support/nats-suite.js";
import { serveGreeter } from "../support/served-greeter.js";
import { Greeter } from "./support/greeter.js";

/** The registry's answers without the compact-calls mark, as from a server of an older version. */
function withoutCompactMark(registry: Registry): Registry {
  const strip = (infos: ServiceInfo[]): ServiceInfo[] =>
    infos.map((info) => ({
      ...info,
      nodes: info.nodes.map((node) => {
        const { [compactCallsKey]: _, ...metadata } = node.metadata;
        return { ...node, metadata };
      }),
    }));
  return {
    getService: async (name, options) => strip(await registry.getService(name, options)),
    listServices: (options) => registry.listServices(options),
    register: (info) => registry.register(info),
    deregister: (info) => registry.deregister(info),
    watch: (options) => registry.watch(options),
    close: () => registry.close(),
  } as Registry;
}

describe("compact unary calls on NATS", () => {
  const suite = natsSuite({ clientConnection: true });

  it("a server announces that it reads compact calls; clients send them only to such servers", async () => {
    const { srt, crt } = await serveGreeter(suite);
    const seen: Msg[] = [];
    const sniff = suite.conn.subscribe(`${srt.namespace}.pn.svc.>`, {
      callback: (_err, msg) => {
        seen.push(msg);
      },
    });
    await suite.conn.flush();
    try {
      const [info] = await crt.registry.getService(Greeter.typeName);
      expect(info?.nodes[0]?.metadata[compactCallsKey]).toBe("1");

      const client = createClient(Greeter, crt);
      expect((await client.sayHello({ name: "new" })).message).toBe("Hello, new");
      // Request headers keep the header form.
      await client.sayHello({ name: "headers" }, { headers: { greeting: "Hi" } });
      const older = createClient(Greeter, { ...crt, registry: withoutCompactMark(crt.registry) });
      expect((await older.sayHello({ name: "old" })).message).toBe("Hello, old");
      await suite.conn.flush();

      expect(seen).toHaveLength(3);
      const [compact, withHeaders, headerForm] = seen as [Msg, Msg, Msg];
      expect(compact.headers).toBeUndefined();
      expect(compact.data[0]).toBe(0x02);
      expect(withHeaders.headers?.get("Pn-Method")).toBe("/example.greeter.v1.Greeter/SayHello");
      expect(withHeaders.headers?.get("greeting")).toBe("Hi");
      expect(headerForm.headers?.get("Pn-Method")).toBe("/example.greeter.v1.Greeter/SayHello");
      expect(headerForm.data[0]).not.toBe(0x02);
    } finally {
      sniff.unsubscribe();
    }
  });

  it("a compact call keeps its deadline: the server's handler sees the budget", async () => {
    const { crt } = await serveGreeter(suite, {
      overrides: {
        async sayHello(_req, ctx) {
          return {
            message: String(ctx.deadline !== undefined && ctx.deadline - Date.now() <= 700),
          };
        },
      },
    });
    const client = createClient(Greeter, crt);
    expect((await client.sayHello({ name: "x" }, { timeoutMs: 700 })).message).toBe("true");
  });

  it("a compact call at a service's address naming another service's method is refused PermissionDenied", async () => {
    const { crt, records } = await serveGreeter(suite);
    const [info] = await crt.registry.getService(Greeter.typeName);
    const address = info?.nodes[0]?.address as string;
    const payload = encodeCompactCall("/other.v1.Admin/Wipe", 1_000, undefined);
    const reply = await suite.clientConn.request(address, payload, { timeout: 2_000 });
    expect(reply.headers?.get("Pn-Status")).toBe("7"); // PermissionDenied
    expect(records).toHaveLength(0);
  });
});
