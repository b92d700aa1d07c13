import { mkdirSync, writeFileSync } from "node:fs";
import { arch, cpus, totalmem } from "node:os";

/** One measured figure: the median of several rounds. */
export interface Figure {
  /** e.g. "unary 64 in flight" */
  name: string;
  payload: string;
  unit: string;
  value: number;
  /** (max - min) / median over the rounds. */
  spread: number;
  /** The value of each round, in order (for paired ratios). */
  samples?: number[];
  /** `name|payload` of the raw-NATS figure this one is compared with. */
  baseline?: string;
  /** value / baseline value. */
  ratio?: number;
  /** The target as text, e.g. ">= 0.8x", and whether it was met. */
  target?: string;
  met?: boolean;
}

export function machine() {
  return {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    arch: arch(),
    node: process.version,
  };
}

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString("en-US");
  return value.toPrecision(3);
}

export function toMarkdown(figures: Figure[], meta: Record<string, unknown>): string {
  const rows = figures.map((f) =>
    [
      f.name,
      f.payload,
      `${format(f.value)} ${f.unit}`,
      `±${Math.round(f.spread * 100)}%`,
      f.ratio === undefined ? "" : `${f.ratio.toFixed(2)}x`,
      f.target ?? "",
      f.met === undefined ? "" : f.met ? "met" : "MISSED",
    ].join(" | "),
  );
  return [
    `Machine: ${JSON.stringify(meta)}`,
    "",
    "| figure | payload | median | spread | ratio to raw | target | |",
    "|---|---|---|---|---|---|---|",
    ...rows.map((r) => `| ${r} |`),
    "",
  ].join("\n");
}

/** Writes `<name>.json` and `<name>.md` into `dir`. */
export function writeResults(
  dir: string,
  name: string,
  figures: Figure[],
  meta: Record<string, unknown>,
) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/${name}.json`, `${JSON.stringify({ meta, figures }, null, 2)}\n`);
  writeFileSync(`${dir}/${name}.md`, toMarkdown(figures, meta));
}
