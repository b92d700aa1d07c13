import type { RpcError } from "../errors/rpc-error.js";
import { nextTurn } from "../platform/next-turn.js";

/** The side of a stream that owns an {@link InboundQueue}. */
export interface QueueOwner {
  /** The consumer took `n` messages: grant the peer `n` more (send a `credit` frame). */
  grant(n: number): void;
  /** The consumer stopped iterating before the end (break, return, throw). */
  consumerGone(): void;
}

interface Waiter<T> {
  resolve: (r: IteratorResult<T>) => void;
  reject: (e: unknown) => void;
}

/**
 * Received messages waiting for a consumer, bounded by the credit window: the
 * peer may only send what was granted, and credit comes back only as the
 * consumer takes messages, so the buffer never holds more than `window`.
 */
export class InboundQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private ended = false;
  private error: RpcError | undefined;
  private waiting: Waiter<T> | undefined;
  /** Reads that overlap the waiting one (rare: `for await` reads one at a time), in order. */
  private moreWaiting: Waiter<T>[] | undefined;
  private ungranted = 0;
  private readonly regrantAt: number;

  constructor(
    private readonly window: number,
    private readonly owner: QueueOwner,
  ) {
    this.regrantAt = Math.max(1, Math.floor(window / 2));
  }

  /** Adds a message; false when the peer sent beyond its credit (a protocol violation). */
  push(item: T): boolean {
    if (this.ended) return true;
    if (this.items.length >= this.window) return false;
    const w = this.waiting;
    if (w !== undefined) {
      this.waiting = this.moreWaiting?.shift();
      this.taken();
      w.resolve({ value: item, done: false });
    } else {
      this.items.push(item);
    }
    return true;
  }

  /**
   * No more messages. With an error the consumer gets it after the messages
   * already queued, unless `discard` drops those (cancellation, deadline).
   */
  end(error?: RpcError, discard = false): void {
    if (this.ended) return;
    this.ended = true;
    this.error = error;
    if (discard) this.items.length = 0;
    if (this.items.length > 0) return;
    const waiters = this.waiting === undefined ? [] : [this.waiting, ...(this.moreWaiting ?? [])];
    this.waiting = undefined;
    this.moreWaiting = undefined;
    for (const w of waiters) {
      if (error) w.reject(error);
      else w.resolve({ value: undefined, done: true });
    }
  }

  get isEnded(): boolean {
    return this.ended;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) {
      const value = this.items.shift() as T;
      this.taken();
      return Promise.resolve({ value, done: false });
    }
    if (this.ended) {
      return this.error
        ? Promise.reject(this.error)
        : Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => {
      if (this.waiting === undefined) {
        this.waiting = { resolve, reject };
        return;
      }
      this.moreWaiting ??= [];
      this.moreWaiting.push({ resolve, reject });
    });
  }

  async return(): Promise<IteratorResult<T>> {
    if (!this.ended) {
      this.end(undefined, true);
      this.owner.consumerGone();
    }
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private taken(): void {
    if (this.ended) return;
    if (++this.ungranted >= this.regrantAt) {
      const n = this.ungranted;
      this.ungranted = 0;
      this.owner.grant(n);
    }
  }
}

/**
 * Credit to send: a producer waits here when the peer has not granted more.
 * Credit held is capped at `max`: a peer granting more than it could ever
 * buffer gains nothing.
 */
export class SendCredit {
  private available = 0;
  private waiting: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  private error: RpcError | undefined;

  constructor(private readonly max = Infinity) {}

  add(n: number): void {
    this.available = Math.min(this.max, this.available + n);
    const w = this.waiting;
    if (w !== undefined && this.available > 0) {
      this.waiting = undefined;
      this.available--;
      w.resolve();
    }
  }

  /** Takes one unit of credit, waiting for the peer if none is left. */
  acquire(): Promise<void> | undefined {
    if (this.error) return Promise.reject(this.error);
    if (this.available > 0) {
      this.available--;
      return undefined;
    }
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  /** Fails the waiting producer and every later `acquire`. */
  fail(error: RpcError): void {
    if (this.error) return;
    this.error = error;
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(error);
  }
}

/**
 * Resolves in the event loop's next check phase, after pending I/O and
 * timers: what a send loop awaits now and then, so that a peer granting
 * plenty of credit cannot keep it running on microtasks alone.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => nextTurn(resolve));
}
