import type { WorkerProcess } from "./worker-process.js";

/** Longest a delivery round may take; a slow consumer that drops messages ends here. */
const roundTimeoutMs = 20_000;

/**
 * Messages per second from a publisher process to a subscription in this
 * process, timed from the first to the last delivery. `subscribe` installs a
 * handler (calling `delivered` once per message) and resolves once the
 * interest is registered, with a function that removes it.
 */
export async function deliveryRate(
  subscribe: (delivered: () => void) => Promise<() => Promise<void>>,
  publisher: WorkerProcess,
  count: number,
  size: number,
  extra: Record<string, unknown> = {},
): Promise<number> {
  let received = 0;
  let first = 0;
  let last = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const unsubscribe = await subscribe(() => {
    last = performance.now();
    if (received === 0) first = last;
    if (++received === count) done();
  });
  const published = publisher.ask({ cmd: "publish", count, size, ...extra });
  const timeout = setTimeout(done, roundTimeoutMs);
  await finished;
  clearTimeout(timeout);
  await published;
  await unsubscribe();
  if (received < count) {
    console.error(`delivery: ${received} of ${count} messages arrived (slow consumer?)`);
  }
  return (received / (last - first)) * 1000;
}
