import { create, type DescMethod, type Message } from "@bufbuild/protobuf";

/**
 * The caller's request messages (plain objects or messages, from an async or
 * a sync iterable, as `for await` takes them) as messages of the method's
 * input type. A small iterator rather than an async generator: one promise
 * per message instead of a generator's promises and microtask hops.
 */
export function requestMessages(
  method: DescMethod,
  input: unknown,
): AsyncIterableIterator<Message> {
  const schema = method.input;
  const toMessage = (r: IteratorResult<unknown>): IteratorResult<Message> =>
    r.done === true ? r : { value: create(schema, r.value as Message), done: false };
  let source: AsyncIterator<unknown> | undefined;
  let sync: Iterator<unknown> | undefined;
  // Opened on the first read, as a generator would: a bad input fails the stream, not the call.
  const open = (): void => {
    const iterable = input as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
    const asyncOf = iterable[Symbol.asyncIterator];
    if (typeof asyncOf === "function") source = asyncOf.call(iterable);
    else sync = (iterable as Iterable<unknown>)[Symbol.iterator]();
  };
  const it: AsyncIterableIterator<Message> = {
    next() {
      try {
        if (source === undefined && sync === undefined) open();
        if (source !== undefined) return source.next().then(toMessage);
        const r = (sync as Iterator<unknown>).next();
        // A sync iterable may yield promises; `for await` awaits them.
        if (r.done !== true && r.value instanceof Promise) {
          return r.value.then((value: unknown) => toMessage({ value, done: false }));
        }
        return Promise.resolve(toMessage(r));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    async return() {
      if (source !== undefined) await source.return?.();
      else sync?.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return it;
    },
  };
  return it;
}
