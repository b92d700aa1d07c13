import {
  createInbox,
  type Msg,
  type NatsConnection,
  nuid,
  type Subscription,
} from "@nats-io/nats-core";
import { inboxPrefixOf } from "../nats-internals.js";

/** How a gather ended. */
export interface GatherResult {
  /** Bodies of the answers, in arrival order. */
  answers: Uint8Array[];
  /** NATS reported that nobody subscribes to the subject (status 503). */
  noResponders: boolean;
  /** The hard timeout ended the gather before the answers went quiet. */
  timedOut: boolean;
}

export interface GatherOptions {
  /** Return once no answer arrived for this long after the last one. */
  quietMs: number;
  /** Upper bound of the whole gather. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /**
   * Sees each answer and says what to do next: `"done"` ends the gather at
   * once (every expected answer is in), `"ignore"` leaves the wait as if the
   * answer never came (one refused as forged or malformed: a hostile peer
   * answering first must not start the quiet window that ends the lookup
   * before the real nodes answer), a number replaces `quietMs` for the wait
   * after this answer, `undefined` keeps `quietMs`.
   */
  onAnswer?: ((data: Uint8Array) => AnswerVerdict) | undefined;
  /**
   * Receives answers that arrive after the gather ended, until `timeoutMs`
   * after it started: a node slower than the quiet window still reaches the
   * cache, milliseconds later instead of at its next heartbeat.
   */
  onLate?: ((data: Uint8Array) => void) | undefined;
}

export type AnswerVerdict = "done" | "ignore" | number | undefined;

interface Late {
  onLate: (data: Uint8Array) => void;
  until: number;
}

interface Pending {
  answers: Uint8Array[];
  timer: ReturnType<typeof setTimeout>;
  deadline: number;
  quietMs: number;
  onAnswer: ((data: Uint8Array) => AnswerVerdict) | undefined;
  finish(noResponders: boolean, timedOut: boolean): void;
}

/**
 * Broadcast request with many answers. One wildcard reply subscription serves
 * every gather of the connection; each gather waits for its first answer, then
 * returns as soon as answers stop arriving for `quietMs`, and never waits
 * longer than `timeoutMs`. We cannot know how many nodes will answer, but on
 * one NATS cluster their answers arrive within a few hundred microseconds of
 * each other, so a short quiet window replaces the seed's fixed wait.
 */
export class ScatterGather {
  private sub: Subscription | undefined;
  private prefix = "";
  private readonly pending = new Map<string, Pending>();
  /** Ended gathers still accepting late answers; pruned lazily, so no timer each. */
  private readonly late = new Map<string, Late>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly inboxPrefix?: string,
  ) {}

  private ensureSubscribed(): void {
    if (this.sub) return;
    this.prefix = createInbox(inboxPrefixOf(this.nc, this.inboxPrefix));
    this.sub = this.nc.subscribe(`${this.prefix}.*`, {
      callback: (err, msg) => {
        if (!err) this.onAnswer(msg);
      },
    });
  }

  private onAnswer(msg: Msg): void {
    const token = msg.subject.slice(this.prefix.length + 1);
    const pending = this.pending.get(token);
    if (!pending) {
      this.onLateAnswer(token, msg);
      return;
    }
    if (msg.data.length === 0 && msg.headers?.code === 503) {
      pending.finish(true, false);
      return;
    }
    const verdict = pending.onAnswer?.(msg.data);
    if (verdict === "ignore") return;
    pending.answers.push(msg.data);
    clearTimeout(pending.timer);
    if (verdict === "done") {
      pending.finish(false, false);
      return;
    }
    const remaining = pending.deadline - performance.now();
    if (remaining <= 0) {
      pending.finish(false, true);
      return;
    }
    const wait = Math.min(verdict ?? pending.quietMs, remaining);
    pending.timer = setTimeout(() => pending.finish(false, false), wait);
  }

  private onLateAnswer(token: string, msg: Msg): void {
    const late = this.late.get(token);
    if (!late) return;
    if (performance.now() > late.until) {
      this.late.delete(token);
      return;
    }
    if (msg.data.length > 0) late.onLate(msg.data);
  }

  private pruneLate(now: number): void {
    for (const [token, late] of this.late) if (now > late.until) this.late.delete(token);
  }

  /** Publishes `body` on `subject` and gathers the answers. */
  gather(subject: string, body: Uint8Array, options: GatherOptions): Promise<GatherResult> {
    this.ensureSubscribed();
    const startedAt = performance.now();
    this.pruneLate(startedAt);
    // Unpredictable: whoever saw one query's reply subject (any answerer of a
    // list) must not be able to answer the next lookup in advance.
    const token = nuid.next();
    return new Promise<GatherResult>((resolve, reject) => {
      const signal = options.signal;
      const onAbort = () => {
        clearTimeout(pending.timer);
        this.pending.delete(token);
        reject(signal?.reason);
      };
      const pending: Pending = {
        answers: [],
        deadline: startedAt + options.timeoutMs,
        quietMs: options.quietMs,
        onAnswer: options.onAnswer,
        timer: setTimeout(() => pending.finish(false, true), options.timeoutMs),
        finish: (noResponders, timedOut) => {
          clearTimeout(pending.timer);
          this.pending.delete(token);
          signal?.removeEventListener("abort", onAbort);
          if (options.onLate && !noResponders && !timedOut) {
            this.late.set(token, { onLate: options.onLate, until: pending.deadline });
          }
          resolve({ answers: pending.answers, noResponders, timedOut });
        },
      };
      if (signal?.aborted) {
        clearTimeout(pending.timer);
        reject(signal.reason);
        return;
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      this.pending.set(token, pending);
      try {
        this.nc.publish(subject, body, { reply: `${this.prefix}.${token}` });
      } catch (err) {
        clearTimeout(pending.timer);
        this.pending.delete(token);
        signal?.removeEventListener("abort", onAbort);
        reject(err);
      }
    });
  }

  /** Ends every gather with what it has and drops the reply subscription. */
  close(): void {
    for (const pending of [...this.pending.values()]) pending.finish(false, false);
    this.late.clear();
    this.sub?.unsubscribe();
    this.sub = undefined;
  }
}
