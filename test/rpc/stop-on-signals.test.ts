import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type NatsConnection, nuid } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGreeterClient } from "../../generated/example/greeter/v1/greeter_nats.js";
import { Code } from "../../runtime/errors/code.js";
import { natsRuntime } from "../../runtime/nats/nats-runtime.js";
import { expectCode, type NatsFixture, natsFixture } from "./support/nats.js";

// Ctrl-C / SIGTERM on a server that called stopOnSignals(server, runtime, nc):
// the call in flight still gets its answer, new calls find no node, and the
// process exits 0 once all is stopped.

const script = fileURLToPath(new URL("./support/signal-server.ts", import.meta.url));

function start(url: string, namespace: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", script, url, namespace], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("ready ")) resolve(child);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once("exit", (code) => reject(new Error(`exited with ${code}: ${out}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

describe("stopOnSignals", { timeout: 60_000 }, () => {
  let nats: NatsFixture;
  let conn: NatsConnection;
  beforeAll(async () => {
    nats = await natsFixture();
    conn = await nats.connect();
  });
  afterAll(async () => {
    await nats?.stop();
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`on ${signal}: finishes the call in flight, leaves the registry, exits 0`, async () => {
      const namespace = `sig_${nuid.next()}`;
      const child = await start(nats.server.url, namespace);
      try {
        const client = createGreeterClient(natsRuntime(conn, { namespace }));
        const inFlight = client.sayHello({ name: "slow:1500" }, { timeoutMs: 10_000 });
        // Let the call reach the server before the signal.
        await new Promise((r) => setTimeout(r, 500));
        child.kill(signal);
        const exit = exited(child);
        expect((await inFlight).message).toBe("Hello, slow:1500");
        expect(await exit).toBe(0);
        await expectCode(client.sayHello({ name: "after" }, { timeoutMs: 2_000 }), Code.NotFound);
      } finally {
        child.kill("SIGKILL");
      }
    });
  }
});
