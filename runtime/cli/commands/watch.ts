import type { RegistryEvent } from "../../registry/registry.js";
import type { CommandContext } from "../context.js";
import { jsonLine } from "../output.js";

const verbs = {
  register: "up",
  deregister: "down",
  expire: "expired",
  refused: "refused",
} as const;

/**
 * `protonats watch [service]`: instances coming up, going down (graceful
 * deregistration) and expiring (missed heartbeats), as they happen.
 */
export async function watch(
  ctx: CommandContext,
  service: string | undefined,
  options: { count?: number },
): Promise<void> {
  const bus = await ctx.bus();
  const watcher = bus.runtime.registry.watch(service ? { service } : {});
  const stop = () => watcher.stop();
  if (ctx.io.signal.aborted) stop();
  ctx.io.signal.addEventListener("abort", stop, { once: true });
  const { c } = ctx;
  const colour = { up: c.green, down: c.yellow, expired: c.red, refused: c.magenta };
  ctx.io.writeError(c.dim("watching the registry (Ctrl-C to stop)\n"));
  let seen = 0;
  try {
    for await (const event of watcher as AsyncIterable<RegistryEvent>) {
      const verb = verbs[event.type];
      const s = event.service;
      // A refused peer message (a forgery or a broken limit) names no node we trust.
      if (event.type === "refused") {
        ctx.out(
          ctx.options.json
            ? jsonLine({
                time: new Date().toISOString(),
                event: verb,
                service: s.name,
                reason: event.reason,
              })
            : `${c.dim(new Date().toISOString().slice(11, 23))}  ${colour[verb](verb.padEnd(7))}  ${c.bold(s.name)}  ${event.reason}\n`,
        );
        continue;
      }
      for (const node of s.nodes) {
        if (ctx.options.json) {
          ctx.out(
            jsonLine({
              time: new Date().toISOString(),
              event: verb,
              service: s.name,
              version: s.version,
              node: node.id,
              address: node.address,
            }),
          );
        } else {
          const time = new Date().toISOString().slice(11, 23);
          ctx.out(
            `${c.dim(time)}  ${colour[verb](verb.padEnd(7))}  ${c.bold(s.name)} ${s.version}  ${node.id}  ${c.dim(node.address)}\n`,
          );
        }
      }
      seen++;
      if (options.count !== undefined && seen >= options.count) break;
    }
  } finally {
    ctx.io.signal.removeEventListener("abort", stop);
    watcher.stop();
  }
}
