import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type NatsConnection, nuid } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGreeterClient } from "../../generated/example/greeter/v1/greeter_nats.js";
import { Code } from "../../runtime/errors/code.js";
import { type NatsRuntime, natsRuntime } from "../../runtime/nats/nats-runtime.js";
import { expectCode, type NatsFixture, natsFixture } from "./support/nats.js";

const childScript = fileURLToPath(new URL("./support/child-server.ts", import.meta.url));

/** Starts the child greeter and resolves once it serves. */
function startChild(url: string, namespace: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", childScript, url, namespace], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("ready ")) resolve(child);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once("exit", (code) => reject(new Error(`child exited with ${code}: ${err}`)));
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

describe("calls between two Node processes", () => {
  let nats: NatsFixture;
  let nc: NatsConnection;
  let runtime: NatsRuntime;
  let child: ChildProcess;

  beforeAll(async () => {
    nats = await natsFixture();
    nc = await nats.connect();
    const namespace = `p${nuid.next().slice(-8).toLowerCase()}`;
    runtime = natsRuntime(nc, { namespace });
    child = await startChild(nats.server.url, namespace);
  }, 60_000);
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await killed(child);
    }
    await runtime?.registry.close();
    await runtime?.transport.close();
    await nats?.stop();
  });

  it("a typed client calls a service served by another process", async () => {
    const client = createGreeterClient(runtime);
    const res = await client.sayHello({ name: "Ada" });
    expect(res.message).toBe("Hello, Ada");
    expect(res.servedBy).toBe(`child-${child.pid}`);
    const stream: string[] = [];
    for await (const m of client.sayHelloStream({ name: "Ada", count: 3 })) stream.push(m.message);
    expect(stream).toEqual(["Hello #0, Ada", "Hello #1, Ada", "Hello #2, Ada"]);
  });

  it("a server killed mid-stream is detected within the heartbeat bound", async () => {
    const heartbeatMs = 200;
    const client = createGreeterClient(runtime, { heartbeatMs, timeoutMs: Infinity });
    async function* forever() {
      yield { name: "first" };
      await new Promise(() => {});
    }
    const it = client.chat(forever())[Symbol.asyncIterator]();
    expect((await it.next()).value?.message).toBe("Hi first");
    const killedAt = Date.now();
    child.kill("SIGKILL");
    await killed(child);
    const e = await expectCode(it.next(), Code.Unavailable);
    const detectedAfter = Date.now() - killedAt;
    // Dead after 3 silent intervals at most; a ping to the vanished address
    // usually tells sooner (NATS answers "no responders").
    expect(detectedAfter).toBeLessThan(3 * heartbeatMs + 500);
    expect(e.rawMessage).toMatch(/no responders|missed heartbeats/);
  });
});
