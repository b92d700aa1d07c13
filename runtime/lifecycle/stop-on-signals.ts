/** Something that stops gracefully: a `Server`, a runtime, a subscription. */
export type Stoppable =
  | { stop(): Promise<void> }
  | { drain(): Promise<void> }
  | { [Symbol.asyncDispose](): PromiseLike<void> };

export interface StopOnSignalsOptions {
  /** Signals that start the shutdown. Default `SIGINT` (Ctrl-C) and `SIGTERM` (docker, systemd, k8s). */
  signals?: NodeJS.Signals[];
  /** Called with each stop that failed; default: `console.error`. */
  onError?: (error: unknown) => void;
  /** Ends the process once everything stopped (exit code 0, 1 after a failed stop). Default true. */
  exit?: boolean;
}

import { asyncDispose } from "./async-dispose.js";

async function stopOne(target: Stoppable): Promise<void> {
  if ("stop" in target) return target.stop();
  if ("drain" in target) return target.drain();
  return target[asyncDispose]();
}

/**
 * Graceful shutdown in one line: on the first SIGINT or SIGTERM, stops each
 * target in the order given (e.g. the server first, so calls in flight finish
 * and the node leaves the registry, then the NATS connection, drained), then
 * exits. A second signal exits at once. Returns a function that removes the
 * signal handlers again.
 *
 * ```ts
 * stopOnSignals(server, nc);
 * ```
 */
export function stopOnSignals(
  ...args: [...targets: Stoppable[], options: StopOnSignalsOptions] | Stoppable[]
): () => void {
  const last = args[args.length - 1];
  const hasOptions = last !== undefined && !isStoppable(last);
  const options: StopOnSignalsOptions = hasOptions ? (last as StopOnSignalsOptions) : {};
  const targets = (hasOptions ? args.slice(0, -1) : args) as Stoppable[];
  const signals = options.signals ?? ["SIGINT", "SIGTERM"];
  const onError = options.onError ?? ((error: unknown) => console.error(error));
  let stopping = false;
  const handler = async (signal: NodeJS.Signals) => {
    if (stopping) process.exit(signalExitCode(signal));
    stopping = true;
    let failed = false;
    for (const target of targets) {
      try {
        await stopOne(target);
      } catch (error) {
        failed = true;
        onError(error);
      }
    }
    if (options.exit ?? true) process.exit(failed ? 1 : 0);
    else remove();
  };
  const remove = () => {
    for (const s of signals) process.off(s, handler);
  };
  for (const s of signals) process.on(s, handler);
  return remove;
}

function isStoppable(value: object): value is Stoppable {
  return "stop" in value || "drain" in value || asyncDispose in value;
}

/** 128 + signal number, the shell's convention for "killed by signal". */
function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1);
}
