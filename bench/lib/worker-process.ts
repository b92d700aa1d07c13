import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

/**
 * A benchmark peer in its own process (client and server never share an event
 * loop). The child prints one JSON line per event; the first `{"ready":true}`
 * line means it is serving.
 */
export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Resolves with the next JSON line the child prints. */
  next<T = Record<string, unknown>>(): Promise<T>;
  /** Sends a line to the child's stdin. */
  send(line: object): void;
  /** Sends a command (see `serveCommands`) and resolves with its answer. */
  ask<T = Record<string, unknown>>(command: { cmd: string } & Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Node flags of every peer: `BENCH_NODE_FLAGS` adds some to all of them, e.g.
 * `BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=bench/profiles"` profiles each
 * peer separately.
 */
const sharedFlags = (process.env.BENCH_NODE_FLAGS ?? "").split(" ").filter((f) => f !== "");

export async function startWorker(
  script: string,
  args: string[],
  nodeFlags: string[] = [],
): Promise<WorkerProcess> {
  const flags = [...sharedFlags, ...nodeFlags, "--import", "tsx"];
  const child = spawn(process.execPath, [...flags, script, ...args], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const waiter = waiters.shift();
    if (waiter) waiter(line);
    else lines.push(line);
  });
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`${script} exited with ${code} before answering`));
      child.once("exit", onExit);
      const take = (line: string) => {
        child.off("exit", onExit);
        resolve(JSON.parse(line) as T);
      };
      const buffered = lines.shift();
      if (buffered !== undefined) take(buffered);
      else waiters.push(take);
    });
  const worker: WorkerProcess = {
    child,
    next,
    send: (line) => child.stdin!.write(`${JSON.stringify(line)}\n`),
    ask: async <T>(command: object) => {
      worker.send(command);
      const answer = await next<T & { error?: string }>();
      if (answer.error !== undefined) throw new Error(`${script}: ${answer.error}`);
      return answer;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
  await worker.next();
  return worker;
}
