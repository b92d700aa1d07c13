// The child side of a worker process: JSON commands on stdin, one JSON answer
// line per command on stdout.
import { createInterface } from "node:readline";
import { writeHeapSnapshot } from "node:v8";

export type Command = { cmd: string } & Record<string, unknown>;
export type CommandHandler = (command: Command) => unknown;

const gc = (globalThis as { gc?: () => void }).gc;

/** Heap in use after a full collection (when the peer runs with `--expose-gc`). */
export function settledHeap(): number {
  if (gc) {
    // Twice: the first pass can leave objects that only the second frees (weak refs, finalizers).
    gc();
    gc();
  }
  return process.memoryUsage().heapUsed;
}

/**
 * Answers commands. Built in: `cpu` (process CPU time so far, µs, user +
 * system), `heap` (settled heap, bytes) and `snapshot` (a heap snapshot to `file`). Everything else goes to `handlers`.
 */
export function serveCommands(handlers: Record<string, CommandHandler> = {}): void {
  createInterface({ input: process.stdin }).on("line", async (line) => {
    const command = JSON.parse(line) as Command;
    let answer: unknown;
    try {
      if (command.cmd === "cpu") {
        const usage = process.cpuUsage();
        answer = { cpuUs: usage.user + usage.system };
      } else if (command.cmd === "snapshot") {
        // For finding what an idle stream holds (see tools/heap-summary.ts).
        answer = { file: writeHeapSnapshot(command.file as string) };
      } else if (command.cmd === "heap") {
        answer = { heap: settledHeap(), gc: gc !== undefined };
      } else {
        const handler = handlers[command.cmd];
        if (!handler) throw new Error(`unknown command ${command.cmd}`);
        answer = (await handler(command)) ?? {};
      }
    } catch (error) {
      answer = { error: error instanceof Error ? error.message : String(error) };
    }
    console.log(JSON.stringify(answer));
  });
}

/** Announces that the peer is serving. */
export function ready(extra: Record<string, unknown> = {}): void {
  console.log(JSON.stringify({ ready: true, ...extra }));
}
