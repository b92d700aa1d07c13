import type { Figure } from "./report.js";
import { median, spread } from "./stats.js";

/** Runs `measure` `rounds` times and keeps the median and spread. */
export async function rounds(
  count: number,
  name: string,
  payload: string,
  unit: string,
  measure: () => Promise<number>,
): Promise<Figure> {
  const values: number[] = [];
  for (let i = 0; i < count; i++) values.push(await measure());
  return { name, payload, unit, value: median(values), spread: spread(values) };
}

/** Attaches a ratio to a baseline figure and checks it against a target. */
export function compare(
  figure: Figure,
  baseline: Figure | undefined,
  target?: { text: string; ok: (ratio: number) => boolean },
): Figure {
  if (!baseline) return figure;
  const ratio = figure.value / baseline.value;
  return {
    ...figure,
    baseline: `${baseline.name}|${baseline.payload}`,
    ratio,
    ...(target ? { target: target.text, met: target.ok(ratio) } : {}),
  };
}
