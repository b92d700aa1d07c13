import { createSpinner } from "nanospinner";
import type { CliIo } from "./io.js";

/**
 * Shows a spinner on stderr while `work` runs, on a terminal only (never in
 * `--json` output or pipes), and clears it whatever the outcome. A terminal
 * that reports no width (e.g. under `script`) gets none: the spinner library
 * would count infinitely many lines to clear.
 */
export async function withProgress<T>(
  io: CliIo,
  enabled: boolean,
  text: string,
  work: () => Promise<T>,
): Promise<T> {
  const terminal = process.stderr.isTTY && (process.stderr.columns ?? 0) > 0;
  if (!io.isTTY || !enabled || !terminal) return work();
  const spinner = createSpinner(text, { stream: process.stderr }).start();
  try {
    return await work();
  } finally {
    spinner.clear();
    spinner.stop();
  }
}
