import type { CommandContext } from "../context.js";
import { gatherMicro, stringRecord, text } from "../micro-gather.js";
import { table } from "../output.js";
import { printRows } from "../print-rows.js";
import { microTarget } from "./micro-target.js";

/** `protonats ping [service]`: every `$SRV` instance (protonats or not) and its round trip. */
export async function ping(ctx: CommandContext, service: string | undefined): Promise<void> {
  const bus = await ctx.bus();
  const target = await microTarget(ctx, service);
  const answers = await ctx.progress("pinging $SRV", () =>
    gatherMicro(bus.nc, "PING", target, ctx.options.timeout),
  );
  const rows = answers.map(({ body, elapsedMs }) => ({
    name: stringRecord(body.metadata)["pn.service"] ?? text(body.name),
    id: text(body.id),
    version: text(body.version),
    rttMs: Math.round(elapsedMs * 100) / 100,
  }));
  printRows(ctx, rows, "no $SRV service answered", (rows) =>
    table(
      ctx.c,
      ["SERVICE", "INSTANCE", "VERSION", "RTT"],
      rows.map((r) => [ctx.c.bold(r.name), r.id, r.version, `${r.rttMs.toFixed(2)} ms`]),
    ),
  );
}
