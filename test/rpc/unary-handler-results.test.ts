import { describe, expect, it } from "vitest";
import { createClient } from "../../runtime/client/create-client.js";
import { Code } from "../../runtime/errors/code.js";
import { RpcError } from "../../runtime/errors/rpc-error.js";
import { natsSuite } from "../support/nats-suite.js";
import { serveGreeter } from "../support/served-greeter.js";
import { Greeter } from "./support/greeter.js";
import { expectCode } from "./support/nats.js";

// A unary handler may answer synchronously (answered in the same turn, with no
// deadline entry or cancel registration) or later (a promise, or any
// thenable): both are answered alike, counted alike, and only a pending call
// can be expired by its deadline.

describe("unary handler results, synchronous or pending", () => {
  const suite = natsSuite({ clientConnection: true });

  async function setup() {
    const served = await serveGreeter(suite, {
      overrides: {
        sayHello(request) {
          switch (request.name) {
            case "sync":
              return { message: "now" };
            case "throw":
              throw new RpcError(Code.FailedPrecondition, "refused at once");
            case "thenable":
              // Not a Promise: anything with a `then` is waited for, as `await` would.
              return {
                // biome-ignore lint/suspicious/noThenProperty: the point of the test
                then(resolve: (value: { message: string }) => void) {
                  setTimeout(() => resolve({ message: "later" }), 5);
                },
              } as unknown as Promise<{ message: string }>;
            case "reject":
              return Promise.reject(new RpcError(Code.NotFound, "refused later"));
            default:
              return new Promise(() => {}); // never answers: the deadline does
          }
        },
      },
    });
    return { client: createClient(Greeter, served.crt, { timeoutMs: 2_000 }), served };
  }

  it("answers results and errors either way, and records every call once", async () => {
    const { client, served } = await setup();
    expect((await client.sayHello({ name: "sync" })).message).toBe("now");
    expect((await client.sayHello({ name: "thenable" })).message).toBe("later");
    const now = await expectCode(client.sayHello({ name: "throw" }), Code.FailedPrecondition);
    expect(now.rawMessage).toBe("refused at once");
    const later = await expectCode(client.sayHello({ name: "reject" }), Code.NotFound);
    expect(later.rawMessage).toBe("refused later");
    const codes = served.records.map((r) => r.code);
    expect(codes).toEqual([undefined, undefined, Code.FailedPrecondition, Code.NotFound]);
  });

  it("expires a pending call at its deadline, after synchronous calls with deadlines left nothing behind", async () => {
    const { client, served } = await setup();
    for (let i = 0; i < 20; i++) await client.sayHello({ name: "sync" }, { timeoutMs: 50 });
    await expectCode(client.sayHello({ name: "hang" }, { timeoutMs: 100 }), Code.DeadlineExceeded);
    await expect.poll(() => served.records.length).toBe(21);
    expect(served.records.at(-1)?.code).toBe(Code.DeadlineExceeded);
  });
});
