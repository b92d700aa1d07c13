import { fileURLToPath } from "node:url";
import type { BenchContext } from "../lib/context.js";
import { lookupFigures } from "../lib/lookup-figures.js";
import { startWorker } from "../lib/worker-process.js";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
/** Its own namespace: only the three instances started here answer. */
const namespace = "benchlookup";

/**
 * Discovery through the registry API with three Greeter instances (three
 * connections in one peer process). Cold: a registry that has never seen the
 * service (a fresh `NatsRegistry`, as in a process that just started) asks
 * the bus. Cached: the same registry asked again, which announcements keep exact.
 */
export async function lookup(ctx: BenchContext): Promise<void> {
  const instances = await startWorker(here("../servers/greeter-server.ts"), [
    ctx.url,
    "instances=3",
    `namespace=${namespace}`,
  ]);
  try {
    await lookupFigures(ctx, namespace, 3, ctx.quick ? 30 : 100);
  } finally {
    await instances.stop();
  }
}
