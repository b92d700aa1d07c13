import { headers } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { Code } from "../../runtime/errors/code.js";
import { microServiceName } from "../../runtime/nats/micro/micro-naming.js";
import type { MicroEndpointStats } from "../../runtime/nats/micro/micro-responses.js";
import { natsSuite } from "../support/nats-suite.js";
import { serveGreeter } from "../support/served-greeter.js";

const service = "example.greeter.v1.Greeter";

describe("$SRV.STATS counts requests refused before the handler", () => {
  const suite = natsSuite({ clientConnection: true });

  it("counts bad bodies, bad frames and expired deadlines as requests and errors", async () => {
    let handled = 0;
    const { crt, server } = await serveGreeter(suite, {
      overrides: {
        async sayHello(req) {
          handled++;
          return { message: `Hello, ${req.name}` };
        },
      },
    });
    const nc = suite.clientConn;
    const endpoint = `${crt.namespace}.${service}.SayHello`;
    const ask = async (body: Uint8Array, header: Record<string, string> = {}) => {
      const h = headers();
      for (const [k, v] of Object.entries(header)) h.set(k, v);
      const reply = await nc.request(endpoint, body, { timeout: 2000, headers: h });
      return Number(reply.headers?.get("Pn-Status"));
    };
    expect(await ask(new Uint8Array([0xff, 0xff, 0xff]))).toBe(Code.InvalidArgument);
    expect(await ask(new Uint8Array(0), { "Pn-Timeout": "soon" })).toBe(Code.InvalidArgument);
    expect(await ask(new Uint8Array(0), { "Pn-Timeout": "0" })).toBe(Code.DeadlineExceeded);
    expect(await ask(new Uint8Array(0), { "Pn-Frame": "bogus" })).toBe(Code.InvalidArgument);
    expect(handled).toBe(0);

    const stats = await nc.request(`$SRV.STATS.${microServiceName(service)}.${server.id}`, "", {
      timeout: 2000,
    });
    const endpoints = stats.json<{ endpoints: MicroEndpointStats[] }>().endpoints;
    const sayHello = endpoints.find((e) => e.name === "SayHello");
    expect(sayHello?.num_requests).toBe(4);
    expect(sayHello?.num_errors).toBe(4);
    expect(sayHello?.last_error).toMatch(/^400:unknown frame type "bogus"/);
  });
});
