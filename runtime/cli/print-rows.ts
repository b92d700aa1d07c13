import type { CommandContext } from "./context.js";
import { jsonLine } from "./output.js";

/**
 * What a listing command prints: one JSON line per row with `--json`, a dim
 * `none` line when nothing answered, else the table `render` draws.
 */
export function printRows<T>(
  ctx: CommandContext,
  rows: readonly T[],
  none: string,
  render: (rows: readonly T[]) => string,
): void {
  if (ctx.options.json) {
    for (const row of rows) ctx.out(jsonLine(row));
    return;
  }
  if (rows.length === 0) {
    ctx.out(ctx.c.dim(`${none}\n`));
    return;
  }
  ctx.out(render(rows));
}
