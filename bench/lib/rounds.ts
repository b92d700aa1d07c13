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
  return figureOf(name, payload, unit, values);
}

/** A figure from the values of its rounds, kept so ratios can pair rounds. */
export function figureOf(name: string, payload: string, unit: string, values: number[]): Figure {
  return { name, payload, unit, value: median(values), spread: spread(values), samples: values };
}

/**
 * Runs one round of every step per round, rotating which goes first, so that
 * figures compared with each other were measured side by side: on a shared
 * machine the load drifts within seconds, and two figures measured a minute
 * apart compare the load as much as the code.
 */
export async function interleaved(count: number, steps: (() => Promise<void>)[]): Promise<void> {
  for (let round = 0; round < count; round++) {
    for (let i = 0; i < steps.length; i++) {
      await (steps[(round + i) % steps.length] as () => Promise<void>)();
    }
  }
}

/**
 * Attaches a ratio to a baseline figure and checks it against a target. When
 * both figures come from interleaved rounds, the ratio is the median of the
 * per-round ratios (each taken under the same load), else the ratio of medians.
 */
export function compare(
  figure: Figure,
  baseline: Figure | undefined,
  target?: { text: string; ok: (ratio: number) => boolean },
): Figure {
  if (!baseline) return figure;
  const a = figure.samples;
  const b = baseline.samples;
  const ratio =
    a !== undefined && b !== undefined && a.length === b.length && a.length > 0
      ? median(a.map((v, i) => v / (b[i] as number)))
      : figure.value / baseline.value;
  return {
    ...figure,
    baseline: `${baseline.name}|${baseline.payload}`,
    ratio,
    ...(target ? { target: target.text, met: target.ok(ratio) } : {}),
  };
}

/** Targets of issue 7, as ratios protonats / raw. */
export const atLeast = (x: number) => ({ text: `>= ${x}x`, ok: (r: number) => r >= x });
export const atMost = (x: number) => ({ text: `<= ${x}x`, ok: (r: number) => r <= x });

/** Checks a figure against an absolute limit (no raw baseline exists for it). */
export function below(figure: Figure, limit: number): Figure {
  return { ...figure, target: `< ${limit} ${figure.unit}`, met: figure.value < limit };
}
