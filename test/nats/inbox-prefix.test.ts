import { nuid } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../runtime/client/create-client.js";
import { Code } from "../../runtime/errors/code.js";
import { setNatsInternals } from "../../runtime/nats/nats-internals.js";
import { type NatsRuntime, natsRuntime } from "../../runtime/nats/nats-runtime.js";
import { defineService } from "../../runtime/server/define-service.js";
import { serve } from "../../runtime/server/serve.js";
import type { Server } from "../../runtime/server/server.js";
import { permissionedServerArgs } from "../harness/permissions.js";
import { Greeter, greeterHandlers } from "../rpc/support/greeter.js";
import { collect, expectCode, type NatsFixture, natsFixture } from "../rpc/support/nats.js";

/**
 * A client whose account may only subscribe to its own inbox prefix
 * `_INBOX.web.>` (a common lock-down: browsers get a prefix of their own)
 * connects with `inboxPrefix: "_INBOX.web"`. Its replies must be subscribed
 * under that prefix, with the nats.js internals on and forced off.
 */
for (const internals of [true, false]) {
  describe(`custom inbox prefix, nats internals ${internals ? "on" : "off"}`, () => {
    let nats: NatsFixture;
    const runtimes: NatsRuntime[] = [];
    const servers: Server[] = [];
    const namespace = `t${nuid.next().slice(-10).toLowerCase()}`;

    beforeAll(async () => {
      setNatsInternals(internals);
      nats = await natsFixture(
        permissionedServerArgs([
          { user: "server", password: "p" },
          { user: "web", password: "p", subscribe: { allow: ["_INBOX.web.>", "*.pn.>"] } },
        ]),
      );
      const server = natsRuntime(await nats.connect({ user: "server", pass: "p" }), { namespace });
      runtimes.push(server);
      servers.push(await serve(server, [defineService(Greeter, greeterHandlers("s"))]));
    });
    afterAll(async () => {
      setNatsInternals(true);
      try {
        await Promise.all(servers.map((s) => s.stop({ graceMs: 0 })));
        await Promise.all(runtimes.map((r) => r[Symbol.asyncDispose]()));
      } finally {
        await nats?.stop();
      }
    });

    async function webRuntime(inboxPrefix?: string): Promise<NatsRuntime> {
      const nc = await nats.connect({ user: "web", pass: "p", inboxPrefix: "_INBOX.web" });
      const rt = natsRuntime(nc, { namespace, ...(inboxPrefix !== undefined && { inboxPrefix }) });
      runtimes.push(rt);
      return rt;
    }

    async function expectCallsWork(rt: NatsRuntime): Promise<void> {
      const client = createClient(Greeter, rt);
      const reply = await client.sayHello({ name: "web" }, { timeoutMs: 3000 });
      expect(reply.message).toBe("Hello, web");
      const stream = await collect(
        client.sayHelloStream({ name: "web", count: 3 }, { timeoutMs: 3000 }),
      );
      expect(stream.map((r) => r.message)).toEqual([
        "Hello #0, web",
        "Hello #1, web",
        "Hello #2, web",
      ]);
    }

    it("unary and stream calls get their replies with natsRuntime({ inboxPrefix })", async () => {
      await expectCallsWork(await webRuntime("_INBOX.web"));
    });

    if (internals) {
      it("reads the prefix from the connection when the option is not given", async () => {
        await expectCallsWork(await webRuntime());
      });
    } else {
      it("without the option nor internals, a call fails with a typed error, not at its deadline", async () => {
        // The default `_INBOX` is refused: the lookup gets no answer (Unavailable).
        const client = createClient(Greeter, await webRuntime());
        const started = performance.now();
        await expectCode(client.sayHello({ name: "web" }, { timeoutMs: 10_000 }), Code.Unavailable);
        expect(performance.now() - started).toBeLessThan(5000);
      });
    }
  });
}
