import type { NatsConnection } from "@nats-io/transport-node";
import type { WorkerProcess } from "../lib/worker-process.js";

/**
 * Messages per second delivered from a publisher process to a plain callback
 * subscription here: the baseline for events and server streaming.
 */
export async function rawPublishSubscribe(
  nc: NatsConnection,
  publisher: WorkerProcess,
  subject: string,
  count: number,
  size: number,
): Promise<number> {
  let received = 0;
  let first = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const sub = nc.subscribe(subject, {
    callback: () => {
      if (received === 0) first = performance.now();
      if (++received === count) done();
    },
  });
  await nc.flush();
  publisher.send({ count, size });
  const timeout = setTimeout(done, 30_000);
  await finished;
  clearTimeout(timeout);
  const elapsed = performance.now() - first;
  sub.unsubscribe();
  await publisher.next();
  return (received / elapsed) * 1000;
}
