import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { CliIo } from "../../runtime/cli/io.js";
import { main } from "../../runtime/cli/main.js";

export interface CliRun {
  status: number;
  out: string;
  err: string;
}

/** Runs the CLI in this process on `args`, with `stdin` as its standard input. */
export async function runCli(
  args: string[],
  options: {
    stdin?: string | AsyncIterable<string>;
    signal?: AbortSignal;
    /** Called with all of stderr so far, each time it grows. */
    onStderr?: (text: string) => void;
    /** Called with all of stdout so far, each time it grows. */
    onStdout?: (text: string) => void;
  } = {},
): Promise<CliRun> {
  let out = "";
  let err = "";
  const stdin = options.stdin ?? "";
  const io: CliIo = {
    write: (text) => {
      out += text;
      options.onStdout?.(out);
    },
    writeError: (text) => {
      err += text;
      options.onStderr?.(err);
    },
    stdin: () =>
      typeof stdin === "string"
        ? (async function* () {
            yield stdin;
          })()
        : stdin,
    isTTY: false,
    signal: options.signal ?? new AbortController().signal,
  };
  const status = await main(args, io);
  return { status, out, err };
}

const bin = fileURLToPath(new URL("../../runtime/cli/bin.ts", import.meta.url));

/** A real `protonats` process (through tsx), as a user runs it. */
export function spawnCli(
  args: string[],
  options: { env?: Record<string, string>; stdin?: string; onStderr?: (text: string) => void } = {},
): { done: Promise<CliRun>; kill: (signal: NodeJS.Signals) => void } {
  const child = spawn(process.execPath, ["--import", "tsx", bin, ...args], {
    env: { ...process.env, ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    out += d;
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    err += d;
    options.onStderr?.(err);
  });
  child.stdin.end(options.stdin ?? "");
  const done = new Promise<CliRun>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ status: code ?? -1, out, err }));
  });
  return { done, kill: (signal) => child.kill(signal) };
}

/** Resolves once `predicate` holds for the text passed to the returned callback. */
export function waitForText(predicate: (text: string) => boolean): {
  seen: Promise<void>;
  feed: (text: string) => void;
} {
  let resolve!: () => void;
  const seen = new Promise<void>((r) => {
    resolve = r;
  });
  return { seen, feed: (text) => predicate(text) && resolve() };
}
