import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScatterGather } from "../../runtime/nats/registry/scatter-gather.js";
import { type NatsServerProcess, startNatsServer } from "../harness/nats-server.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

describe("scatter-gather over a real nats-server", () => {
  let server: NatsServerProcess;
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(() => server?.stop());

  it("an ignored answer arriving first does not start the quiet window", async () => {
    const nc = await connect({ servers: server.url });
    try {
      // A hostile peer answers at once with garbage; the real node answers after 40 ms.
      nc.subscribe("ask", {
        callback: (_e, msg) => {
          msg.respond(enc.encode("garbage"));
        },
      });
      nc.subscribe("ask", {
        callback: (_e, msg) => {
          setTimeout(() => msg.respond(enc.encode("real")), 40);
        },
      });
      await nc.flush();
      const gather = new ScatterGather(nc);
      const result = await gather.gather("ask", enc.encode("?"), {
        quietMs: 5,
        timeoutMs: 2_000,
        onAnswer: (data) => (dec.decode(data) === "real" ? undefined : "ignore"),
      });
      expect(result.answers.map((a) => dec.decode(a))).toEqual(["real"]);
      expect(result.timedOut).toBe(false);
    } finally {
      await nc.close();
    }
  });
});
