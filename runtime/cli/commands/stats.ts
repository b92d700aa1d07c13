import type { CommandContext } from "../context.js";
import { count, gatherMicro, records, stringRecord, text } from "../micro-gather.js";
import { table } from "../output.js";
import { printRows } from "../print-rows.js";
import { microTarget } from "./micro-target.js";

/** `protonats stats [service]`: `$SRV.STATS` per instance and endpoint, for any ADR-32 service. */
export async function stats(ctx: CommandContext, service: string | undefined): Promise<void> {
  const bus = await ctx.bus();
  const target = await microTarget(ctx, service);
  const answers = await ctx.progress("gathering $SRV.STATS", () =>
    gatherMicro(bus.nc, "STATS", target, ctx.options.timeout),
  );
  const rows = answers.flatMap(({ body }) =>
    records(body.endpoints).map((e) => ({
      service: stringRecord(body.metadata)["pn.service"] ?? text(body.name),
      id: text(body.id),
      endpoint: text(e.name),
      requests: count(e.num_requests),
      errors: count(e.num_errors),
      averageMs: count(e.average_processing_time) / 1e6,
      lastError: text(e.last_error),
    })),
  );
  const { c } = ctx;
  printRows(ctx, rows, "no $SRV service answered", (rows) =>
    table(
      c,
      ["SERVICE", "INSTANCE", "ENDPOINT", "REQUESTS", "ERRORS", "AVG", "LAST ERROR"],
      rows.map((r) => [
        c.bold(r.service),
        r.id,
        r.endpoint,
        String(r.requests),
        r.errors > 0 ? c.red(String(r.errors)) : "0",
        `${r.averageMs.toFixed(3)} ms`,
        c.dim(r.lastError),
      ]),
    ),
  );
}
