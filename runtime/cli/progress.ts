import { createSpinner } from "nanospinner";
import type { CliIo } from "./io.js";

/**
 * Shows a spinner on stderr while `work` runs, on a terminal only (never in
 * `--json` output or pipes), and clears it whatever the outcome.
 */
export async function withProgress<T>(
  io: CliIo,
  enabled: boolean,
  text: string,
  work: () => Promise<T>,
): Promise<T> {
  if (!io.isTTY || !enabled) return work();
  const spinner = createSpinner(text, { stream: process.stderr }).start();
  try {
    return await work();
  } finally {
    spinner.clear();
    spinner.stop();
  }
}
