import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { connect as netConnect } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { freePort } from "./free-port.js";

/** A nats-server process started for a test. Always `stop()` it (use `afterAll`). */
export interface NatsServerProcess {
  /** `nats://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  readonly clusterPort: number | undefined;
  /** HTTP monitoring port (`/varz`, `/routez`, ...). */
  readonly monitorPort: number;
  readonly pid: number | undefined;
  /** Kills the process (SIGKILL: a crash, not a graceful shutdown). */
  kill(): Promise<void>;
  /** Starts it again on the same ports, e.g. after `kill()`. */
  restart(): Promise<void>;
  /** Kills the process and removes its storage. */
  stop(): Promise<void>;
}

export interface StartOptions {
  jetstream?: boolean;
  /** Extra command-line arguments. */
  args?: string[];
}

/** `NATS_SERVER_BIN`, else `nats-server` on PATH, else Debian's /usr/sbin (not on every PATH). */
function findBinary(): string {
  if (process.env.NATS_SERVER_BIN) return process.env.NATS_SERVER_BIN;
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/local/sbin"];
  for (const dir of dirs) {
    const candidate = join(dir, "nats-server");
    if (dir && existsSync(candidate)) return candidate;
  }
  return "nats-server";
}

const binary = findBinary();
const running = new Set<ChildProcess>();

// A test that fails or times out must not leave servers behind.
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Starts a single nats-server on a free loopback port and waits until it accepts clients. */
export async function startNatsServer(options: StartOptions = {}): Promise<NatsServerProcess> {
  const port = await freePort();
  return launch(port, undefined, options, []);
}

/** Starts a cluster of `size` nodes (default 3) and waits until all routes are up. */
export async function startNatsCluster(
  size = 3,
  options: StartOptions = {},
): Promise<NatsServerProcess[]> {
  const ports = await Promise.all(Array.from({ length: size }, () => freePort()));
  const clusterPorts = await Promise.all(Array.from({ length: size }, () => freePort()));
  const routes = clusterPorts.map((p) => `nats-route://127.0.0.1:${p}`).join(",");
  const nodes = await Promise.all(
    ports.map((port, i) =>
      launch(port, clusterPorts[i], options, [
        "--cluster_name",
        "protonats-test",
        "--cluster",
        `nats://127.0.0.1:${clusterPorts[i]}`,
        "--routes",
        routes,
        "--server_name",
        `n${i + 1}`,
      ]),
    ),
  );
  await waitForRoutes(nodes, size - 1);
  return nodes;
}

async function launch(
  port: number,
  clusterPort: number | undefined,
  options: StartOptions,
  clusterArgs: string[],
): Promise<NatsServerProcess> {
  const storeDir = mkdtempSync(join(tmpdir(), "protonats-nats-"));
  const monitorPort = await freePort();
  const args = [
    "-a",
    "127.0.0.1",
    "-p",
    String(port),
    "-m",
    String(monitorPort),
    // Always its own store: a test that enables JetStream through `args` or a
    // config file would otherwise share nats-server's default /tmp/nats with
    // every earlier run, whose streams' reservations eventually fill it.
    ...(options.jetstream ? ["-js"] : []),
    "-sd",
    storeDir,
    ...clusterArgs,
    ...(options.args ?? []),
  ];
  let child: ChildProcess | undefined;
  let stderr = "";

  const start = async () => {
    stderr = "";
    child = spawn(binary, args, { stdio: ["ignore", "ignore", "pipe"] });
    running.add(child);
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const exited = new Promise<never>((_, reject) => {
      child?.once("exit", (code) =>
        reject(new Error(`nats-server exited with ${code} before it was ready:\n${stderr}`)),
      );
      child?.once("error", (err) => reject(err));
    });
    exited.catch(() => {});
    await Promise.race([waitForPort(port, 10_000), exited]);
  };

  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once("exit", () => resolve());
      c.kill("SIGKILL");
    });
    running.delete(c);
  };

  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    clusterPort,
    monitorPort,
    get pid() {
      return child?.pid;
    },
    kill,
    restart: start,
    async stop() {
      await kill();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = netConnect(port, "127.0.0.1");
      socket.once("data", () => {
        // nats-server greets with INFO once it accepts clients.
        socket.destroy();
        resolve();
      });
      socket.once("error", () => {
        socket.destroy();
        if (Date.now() > until) reject(new Error(`nats-server on ${port} not ready`));
        else setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

async function waitForRoutes(nodes: NatsServerProcess[], expected: number): Promise<void> {
  const until = Date.now() + 15_000;
  for (const node of nodes) {
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${node.monitorPort}/routez`);
        const body = (await res.json()) as { num_routes?: number };
        if ((body.num_routes ?? 0) >= expected) break;
      } catch {
        // not up yet
      }
      if (Date.now() > until) throw new Error("nats cluster routes did not form");
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
