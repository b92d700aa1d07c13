import {
  createInbox,
  type Msg,
  type NatsConnection,
  type Subscription,
} from "@nats-io/transport-node";

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
}

interface Pending {
  answers: Uint8Array[];
  timer: ReturnType<typeof setTimeout>;
  deadline: number;
  quietMs: number;
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
  private next = 0;
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly nc: NatsConnection) {}

  private ensureSubscribed(): void {
    if (this.sub) return;
    this.prefix = createInbox(inboxPrefixOf(this.nc));
    this.sub = this.nc.subscribe(`${this.prefix}.*`, {
      callback: (err, msg) => {
        if (!err) this.onAnswer(msg);
      },
    });
  }

  private onAnswer(msg: Msg): void {
    const token = msg.subject.slice(this.prefix.length + 1);
    const pending = this.pending.get(token);
    if (!pending) return;
    if (msg.data.length === 0 && msg.headers?.code === 503) {
      pending.finish(true, false);
      return;
    }
    pending.answers.push(msg.data);
    clearTimeout(pending.timer);
    const remaining = pending.deadline - performance.now();
    if (remaining <= 0) {
      pending.finish(false, true);
      return;
    }
    const wait = Math.min(pending.quietMs, remaining);
    pending.timer = setTimeout(() => pending.finish(false, false), wait);
  }

  /** Publishes `body` on `subject` and gathers the answers. */
  gather(subject: string, body: Uint8Array, options: GatherOptions): Promise<GatherResult> {
    this.ensureSubscribed();
    const token = String(this.next++);
    return new Promise<GatherResult>((resolve, reject) => {
      const signal = options.signal;
      const onAbort = () => {
        clearTimeout(pending.timer);
        this.pending.delete(token);
        reject(signal?.reason);
      };
      const pending: Pending = {
        answers: [],
        deadline: performance.now() + options.timeoutMs,
        quietMs: options.quietMs,
        timer: setTimeout(() => pending.finish(false, true), options.timeoutMs),
        finish: (noResponders, timedOut) => {
          clearTimeout(pending.timer);
          this.pending.delete(token);
          signal?.removeEventListener("abort", onAbort);
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
    this.sub?.unsubscribe();
    this.sub = undefined;
  }
}

/** The connection's custom inbox prefix (accounts may restrict `_INBOX`), if any. */
function inboxPrefixOf(nc: NatsConnection): string | undefined {
  if (!("options" in nc)) return undefined;
  const options = nc.options;
  if (typeof options !== "object" || options === null || !("inboxPrefix" in options)) {
    return undefined;
  }
  return typeof options.inboxPrefix === "string" ? options.inboxPrefix : undefined;
}
