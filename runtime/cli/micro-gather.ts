import type { NatsConnection } from "@nats-io/nats-core";

/** Most answers a `$SRV` request gathers: a bound against a flood from hostile peers. */
const maxAnswers = 1000;
const decoder = new TextDecoder();

/** One `$SRV` answer, with how long after the request it came (for `ping`). */
export interface MicroAnswer {
  readonly body: Record<string, unknown>;
  readonly elapsedMs: number;
}

/**
 * Sends a `$SRV.<verb>[.<name>]` request and gathers the answers until none
 * came for a short while or `timeoutMs` passed. Answers that are not JSON
 * objects are dropped.
 */
export async function gatherMicro(
  nc: NatsConnection,
  verb: "PING" | "INFO" | "STATS",
  name: string | undefined,
  timeoutMs: number,
): Promise<MicroAnswer[]> {
  const subject = name ? `$SRV.${verb}.${name}` : `$SRV.${verb}`;
  const started = performance.now();
  const answers: MicroAnswer[] = [];
  const replies = await nc.requestMany(subject, undefined, {
    strategy: "stall",
    stall: Math.min(300, timeoutMs),
    maxWait: timeoutMs,
    maxMessages: maxAnswers,
  });
  // No responders ends the iteration with an error: that is simply "none".
  for await (const msg of ignoreNoResponders(replies)) {
    const elapsedMs = performance.now() - started;
    try {
      const body: unknown = JSON.parse(decoder.decode(msg.data));
      if (typeof body === "object" && body !== null && !Array.isArray(body)) {
        answers.push({ body: body as Record<string, unknown>, elapsedMs });
      }
    } catch {
      // Not JSON: not an ADR-32 answer.
    }
  }
  return answers;
}

export function text(value: unknown, max = 200): string {
  return typeof value === "string" ? value.slice(0, max) : "";
}

export function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : 0;
}

export function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value)
    ? value.filter((v): v is Record<string, unknown> => typeof v === "object" && v !== null)
    : [];
}

export function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== "object" || value === null) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === "string") out[k] = v.slice(0, 200);
  return out;
}

async function* ignoreNoResponders<T>(items: AsyncIterable<T>): AsyncIterable<T> {
  try {
    yield* items;
  } catch (error) {
    if (!(error instanceof Error && /no responders/i.test(`${error.message} ${error.name}`))) {
      throw error;
    }
  }
}
