import type { BrokerLogger } from "../../runtime/broker/report.js";

/** Polls until `check` holds; fails with `what` after `timeoutMs`. */
export async function waitFor(
  check: () => boolean,
  what: string,
  timeoutMs = 5_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A logger that remembers what it was told. */
export function recordingLogger(): BrokerLogger & { lines: { message: string; error: unknown }[] } {
  const lines: { message: string; error: unknown }[] = [];
  return {
    lines,
    error(message, error) {
      lines.push({ message, error });
    },
  };
}

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (data: Uint8Array): string => new TextDecoder().decode(data);
