import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const running = new Set<ChildProcess>();

// A test that fails or times out must not leave processes behind.
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** A Node process running a TypeScript file through tsx; `kill()` is a crash (SIGKILL). */
export interface ChildServer {
  readonly pid: number | undefined;
  kill(): Promise<void>;
}

/** Starts `script` (relative to this folder) and resolves once it prints `ready`. */
export async function startChild(script: string, args: string[]): Promise<ChildServer> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", path, ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  const kill = () => killChild(child);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`child not ready in 20 s:\n${stderr}`)),
        20_000,
      );
      child.stdout?.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("ready")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`child exited with ${code} before it was ready:\n${stderr}`));
      });
    });
  } catch (error) {
    await kill();
    throw error;
  }
  return { pid: child.pid, kill };
}

function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}
