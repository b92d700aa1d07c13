import { describe, expect, it, vi } from "vitest";
import { createClient } from "../../runtime/client/create-client.js";
import { Code } from "../../runtime/errors/code.js";
import { RpcError } from "../../runtime/errors/rpc-error.js";
import type { ServerLogger } from "../../runtime/server/unexpected-error.js";
import { natsSuite } from "../support/nats-suite.js";
import { serveGreeter } from "../support/served-greeter.js";
import { Greeter } from "./support/greeter.js";
import { expectCode } from "./support/nats.js";

// A handler bug (a plain Error) reaches the caller as Internal "internal
// error" only; its message and stack go to the server's logger instead.

interface Logged {
  message: string;
  error: unknown;
}

describe("unexpected handler errors are logged on the server, not sent", () => {
  const suite = natsSuite({ clientConnection: true });

  async function setup(logger: ServerLogger | false | undefined) {
    const served = await serveGreeter(suite, {
      overrides: {
        sayHello: () => {
          throw new Error("boom: database password is hunter2");
        },
        async *sayHelloStream() {
          yield { message: "one" };
          throw new TypeError("stream broke");
        },
        sayHelloToAll: () => {
          throw new RpcError(Code.FailedPrecondition, "expected");
        },
      },
      serveOptions: logger === undefined ? {} : { logger },
    });
    return createClient(Greeter, served.crt);
  }

  it("logs a unary handler's Error with its stack; the client gets Internal without it", async () => {
    const logged: Logged[] = [];
    const client = await setup({ error: (message, error) => logged.push({ message, error }) });
    const error = await expectCode(client.sayHello({ name: "x" }), Code.Internal);
    expect(error.rawMessage).toBe("internal error");
    expect(error.message).not.toContain("hunter2");
    expect(logged).toHaveLength(1);
    expect(logged[0]!.message).toContain("/example.greeter.v1.Greeter/SayHello");
    expect((logged[0]!.error as Error).stack).toContain("boom: database password is hunter2");
  });

  it("logs a streaming handler's Error; RpcErrors are the caller's business and not logged", async () => {
    const logged: Logged[] = [];
    const client = await setup({ error: (message, error) => logged.push({ message, error }) });
    const received: string[] = [];
    const stream = (async () => {
      for await (const r of client.sayHelloStream({ name: "x", count: 1 }))
        received.push(r.message);
    })();
    await expectCode(stream, Code.Internal);
    await expectCode(client.sayHelloToAll((async function* () {})()), Code.FailedPrecondition);
    expect(received).toEqual(["one"]);
    expect(logged.map((l) => (l.error as Error).message)).toEqual(["stream broke"]);
  });

  it("logs to console.error by default, and nothing with logger: false", async () => {
    const consoleError = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const byDefault = await setup(undefined);
      await expectCode(byDefault.sayHello({ name: "x" }), Code.Internal);
      expect(consoleError).toHaveBeenCalledTimes(1);
      const silent = await setup(false);
      await expectCode(silent.sayHello({ name: "x" }), Code.Internal);
      expect(consoleError).toHaveBeenCalledTimes(1);
    } finally {
      consoleError.mockRestore();
    }
  });
});
