import pc from "picocolors";
import type { CliIo } from "./io.js";

export type Colors = ReturnType<typeof pc.createColors>;

/** Colours when writing to a terminal, plain text otherwise. */
export function colors(io: CliIo): Colors {
  return pc.createColors(io.isTTY);
}

// ANSI colour codes take no room on screen.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching escape codes is the point
const ansi = /\u001b\[[0-9;]*m/g;
const width = (text: string) => text.replace(ansi, "").length;

/**
 * An aligned table: the header (dimmed on a terminal) and one line per row,
 * columns separated by two spaces; the last column is not padded.
 */
export function table(c: Colors, header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ""))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        i === cells.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - width(cell)),
      )
      .join("  ")
      .trimEnd();
  return `${[line(header.map((h) => c.dim(h))), ...rows.map(line)].join("\n")}\n`;
}

/** One JSON value per line (`--json`, NDJSON). */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}
