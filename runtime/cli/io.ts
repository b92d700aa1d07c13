/**
 * Everything the CLI touches outside itself, so that `main` runs the same in
 * a terminal and inside a test.
 */
export interface CliIo {
  write(text: string): void;
  writeError(text: string): void;
  /** Standard input, as text chunks (NDJSON for streams, a JSON document otherwise). */
  stdin(): AsyncIterable<string>;
  /** Colour and spinners only on a terminal. */
  readonly isTTY: boolean;
  /** Ends `watch` and `subscribe` (Ctrl-C in a terminal). */
  readonly signal: AbortSignal;
}

/** The process's own streams; Ctrl-C aborts the running command. */
export function processIo(): CliIo {
  const interrupt = new AbortController();
  process.once("SIGINT", () => interrupt.abort());
  process.once("SIGTERM", () => interrupt.abort());
  return {
    write: (text) => process.stdout.write(text),
    writeError: (text) => process.stderr.write(text),
    stdin: () => process.stdin.setEncoding("utf8") as AsyncIterable<string>,
    isTTY: process.stdout.isTTY === true && !process.env.NO_COLOR,
    signal: interrupt.signal,
  };
}
