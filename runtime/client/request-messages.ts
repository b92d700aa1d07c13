import { create, type DescMethod, type Message } from "@bufbuild/protobuf";

/**
 * The caller's request messages (plain objects or messages, from an async or
 * a sync iterable, as `for await` takes them) as messages of the method's
 * input type. A small iterator rather than an async generator: one promise
 * per message instead of a generator's promises and microtask hops, and an
 * idle stream holds one small object.
 */
export class RequestMessages implements AsyncIterableIterator<Message> {
  private source: AsyncIterator<unknown> | undefined;
  private sync: Iterator<unknown> | undefined;

  constructor(
    private readonly method: DescMethod,
    private readonly input: unknown,
  ) {}

  next(): Promise<IteratorResult<Message>> {
    try {
      // Opened on the first read, as a generator would: a bad input fails the stream, not the call.
      if (this.source === undefined && this.sync === undefined) this.open();
      if (this.source !== undefined) return this.source.next().then(this.toMessage);
      const r = (this.sync as Iterator<unknown>).next();
      // A sync iterable may yield promises; `for await` awaits them.
      if (r.done !== true && r.value instanceof Promise) {
        return r.value.then((value: unknown) => this.toMessage({ value, done: false }));
      }
      return Promise.resolve(this.toMessage(r));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async return(): Promise<IteratorResult<Message>> {
    if (this.source !== undefined) await this.source.return?.();
    else this.sync?.return?.();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Message> {
    return this;
  }

  private open(): void {
    const iterable = this.input as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
    const asyncOf = iterable[Symbol.asyncIterator];
    if (typeof asyncOf === "function") this.source = asyncOf.call(iterable);
    else this.sync = (iterable as Iterable<unknown>)[Symbol.iterator]();
  }

  private readonly toMessage = (r: IteratorResult<unknown>): IteratorResult<Message> =>
    r.done === true ? r : { value: create(this.method.input, r.value as Message), done: false };
}
