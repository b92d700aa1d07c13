import type { Message } from "@bufbuild/protobuf";
import type { StreamResponse } from "../interceptor.js";
import type { CallOptions } from "./call-options.js";

const finished: IteratorResult<Message> = Object.freeze({ value: undefined, done: true });

/**
 * The response messages of a stream as the caller iterates them, with
 * `onHeader` (before the first message, or at the end when there is none)
 * and `onTrailer` (at the end) called at the right moments.
 *
 * Hand-written rather than an async generator: once the header is out and
 * nobody waits for the trailer, `next()` is the stream queue's own `next()`,
 * so a message costs the queue's one promise instead of a generator's
 * promises and microtask hops. Reads that overlap are served in order, as a
 * generator would.
 */
export class ResponseStream implements AsyncIterableIterator<Message> {
  private res: StreamResponse | undefined;
  private inner: AsyncIterator<Message> | undefined;
  private headerSent = false;
  private done = false;
  /** The last read handed out on the slow path: later reads queue behind it. */
  private tail: Promise<unknown> | undefined;

  constructor(
    private readonly response: Promise<StreamResponse>,
    private readonly call: CallOptions | undefined,
  ) {}

  next(): Promise<IteratorResult<Message>> {
    const inner = this.inner;
    if (inner !== undefined && this.tail === undefined && this.fastPath) return inner.next();
    const read = this.tail === undefined ? this.read() : this.tail.then(() => this.read());
    const settled = read.then(
      () => undefined,
      () => undefined,
    );
    this.tail = settled;
    void settled.then(() => {
      if (this.tail === settled) this.tail = undefined;
    });
    return read;
  }

  /** Nothing left to call back before the end, or nobody waits for the end. */
  private get fastPath(): boolean {
    return this.headerSent && this.call?.onTrailer === undefined && !this.done;
  }

  private async read(): Promise<IteratorResult<Message>> {
    if (this.done) return finished;
    let res = this.res;
    if (res === undefined) {
      try {
        res = await this.response;
      } catch (error) {
        this.done = true;
        throw error;
      }
      if (this.done) return finished; // returned while the stream opened
      this.res = res;
      this.inner = res.messages[Symbol.asyncIterator]();
      // Without an onHeader callback there is nothing to wait for.
      if (this.call?.onHeader === undefined) this.headerSent = true;
    }
    let r: IteratorResult<Message>;
    try {
      r = await (this.inner as AsyncIterator<Message>).next();
    } catch (error) {
      this.done = true;
      throw error;
    }
    if (!this.headerSent) {
      this.headerSent = true;
      this.call?.onHeader?.(res.header);
    }
    if (r.done === true) {
      this.done = true;
      this.call?.onTrailer?.(res.trailer);
      return finished;
    }
    return r;
  }

  /** The caller stopped early: the stream is canceled (once it has opened, if it has not yet). */
  async return(): Promise<IteratorResult<Message>> {
    if (this.done) return finished;
    this.done = true;
    const inner = this.inner;
    if (inner !== undefined) {
      await inner.return?.();
    } else {
      this.response
        .then((res) => res.messages[Symbol.asyncIterator]().return?.())
        .catch(() => undefined);
    }
    return finished;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Message> {
    return this;
  }
}
