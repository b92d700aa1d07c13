/**
 * Runs message handlers and counts those still running, so that an
 * unsubscribe can wait for them. A handler that returns synchronously costs no
 * promise at all; only async handlers are tracked.
 */
export class InFlight {
  #running = 0;
  #waiters: (() => void)[] = [];

  /** Handlers still running. */
  get size(): number {
    return this.#running;
  }

  /**
   * Runs `handler` and calls exactly one of `onDone` / `onFailed` when it
   * settles (a synchronous throw counts as a failure).
   */
  run(
    handler: () => void | Promise<void>,
    onDone: () => void,
    onFailed: (error: unknown) => void,
  ): void {
    let result: void | Promise<void>;
    try {
      result = handler();
    } catch (error) {
      onFailed(error);
      return;
    }
    if (!isPromiseLike(result)) {
      onDone();
      return;
    }
    this.#running++;
    result.then(onDone, onFailed).finally(() => this.#settled());
  }

  /**
   * What `run` does with a handler's result, for a caller that called the
   * handler itself (and reported a synchronous throw): a promise is counted
   * until it settles and `onFailed` hears of its rejection; anything else
   * was done at once.
   */
  track(result: unknown, onFailed: (error: unknown) => void): void {
    if (!isPromiseLike(result)) return;
    this.#running++;
    result.then(undefined, onFailed).finally(() => this.#settled());
  }

  /** Resolves once no handler is running. */
  idle(): Promise<void> {
    if (this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #settled(): void {
    this.#running--;
    if (this.#running > 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}

function isPromiseLike(value: unknown): value is Promise<void> {
  return typeof (value as { then?: unknown } | undefined)?.then === "function";
}
