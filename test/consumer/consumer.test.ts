import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NatsServerProcess, startNatsServer } from "../harness/nats-server.js";
import { readTutorial, rewriteInstall } from "./readme-tutorial.js";

// The README's tutorial as a stranger follows it: the two packages packed as
// npm would publish them, installed into an empty folder with the newest
// dependency versions their ranges allow (PROTONATS_CONSUMER_VERSIONS=lowest:
// the oldest), the proto and code written from the README's code blocks, then
// buf generate, strict tsc, a server process and a client process.

const exec = promisify(execFile);
const repoRoot = join(import.meta.dirname, "../..");
const lowest = process.env.PROTONATS_CONSUMER_VERSIONS === "lowest";

/** The lowest version a peer range allows, e.g. `>=3.0.0 <3.4.0` → `3.0.0`. */
function lowestOf(range: string): string {
  const version = /\d+\.\d+\.\d+/.exec(range)?.[0];
  if (version === undefined) throw new Error(`no version in range ${range}`);
  return version;
}

function peerRanges(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(repoRoot, "runtime/package.json"), "utf8")) as {
    peerDependencies: Record<string, string>;
  };
  return pkg.peerDependencies;
}

async function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  try {
    const { stdout } = await exec(cmd, args, { cwd, env, maxBuffer: 16 << 20 });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
  }
}

/** Starts a process and resolves with it once its output matches `ready`. */
function startUntil(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  ready: RegExp,
): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, args, { cwd, env });
  let out = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (ready.test(out)) resolve({ child, output: () => out });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => reject(new Error(`exited ${code} before ready:\n${out}`)));
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

describe("the README tutorial in a new project, with the packed packages", () => {
  let nats: NatsServerProcess;
  let work: string;
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    nats = await startNatsServer();
    work = mkdtempSync(join(tmpdir(), "protonats-consumer-"));
  });

  afterAll(async () => {
    await nats?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
    console.log(`consumer test (${lowest ? "lowest" : "newest"} versions), ms:`, timings);
  });

  it("installs, generates, type-checks, serves, calls, streams and gets the event", async () => {
    let t = performance.now();
    const lap = (name: string) => {
      const now = performance.now();
      timings[name] = Math.round(now - t);
      t = now;
    };
    const packs = join(work, "packs");
    mkdirSync(packs);
    const packed = JSON.parse(
      await run(
        "npm",
        ["pack", "-w", "runtime", "-w", "codegen", "--pack-destination", packs, "--json"],
        repoRoot,
      ),
    ) as { name: string; filename: string }[];
    lap("pack");

    const versions = new Map<string, string>();
    for (const p of packed) versions.set(p.name, join(packs, p.filename));
    if (lowest) {
      const ranges = peerRanges();
      for (const [name, range] of Object.entries(ranges)) {
        versions.set(name, `${name}@${lowestOf(range)}`);
      }
      // protoc-gen-es must not generate code newer than the runtime it runs with.
      versions.set(
        "@bufbuild/protoc-gen-es",
        `@bufbuild/protoc-gen-es@${lowestOf(ranges["@bufbuild/protobuf"]!)}`,
      );
    }

    const started = performance.now();
    const app = join(work, "app");
    mkdirSync(app);
    const tutorial = readTutorial(join(repoRoot, "README.md"));
    for (const line of tutorial.install) {
      const cmd = rewriteInstall(line, versions);
      await run(
        "sh",
        ["-c", `${cmd.replaceAll("npm install", "npm install --no-audit --no-fund")}`],
        app,
      );
    }
    lap("install");
    for (const [path, body] of tutorial.files) {
      mkdirSync(dirname(join(app, path)), { recursive: true });
      writeFileSync(join(app, path), body);
    }
    await run("npx", ["buf", "generate"], app);
    await run("npx", ["buf", "lint"], app);
    lap("generate");
    await run("npx", ["tsc"], app);
    lap("tsc");

    const env = { ...process.env, NATS_URL: nats.url };
    const server = await startUntil(
      ["dist/server.js"],
      app,
      env,
      /serving hello\.v1\.GreeterService/,
    );
    timings.emptyFolderToRunningService = Math.round(performance.now() - started);
    lap("server start");
    try {
      const client = await run(process.execPath, ["dist/client.js"], app, env).catch((e) => {
        throw new Error(`${e}\nserver:\n${server.output()}`);
      });
      lap("client");
      expect(client.split("\n")).toEqual([
        "Hello, Ada!",
        "Hello #1, Ada!",
        "Hello #2, Ada!",
        "Hello #3, Ada!",
        "event: Ada was greeted (hello.Ada.greeted)",
        "",
      ]);
      server.child.kill("SIGTERM");
      expect(await exitOf(server.child)).toBe(0);
      lap("graceful stop");
    } finally {
      server.child.kill("SIGKILL");
    }
    const installed = JSON.parse(await run("npm", ["ls", "--json", "--depth=0"], app)) as {
      dependencies: Record<string, { version: string }>;
    };
    console.log(
      "installed:",
      Object.entries(installed.dependencies)
        .map(([name, d]) => `${name}@${d.version}`)
        .join(" "),
    );
  }, 180_000);
});
