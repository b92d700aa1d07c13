import type { RegistryEvent, RegistryWatcher } from "./registry.js";

/**
 * Fan-out of registry events to the watchers that asked for them. Each watcher
 * buffers events until its consumer pulls them; `stop()` (or ending every
 * watcher with `closeAll`) finishes the iteration.
 */
export class EventStream {
  private readonly watchers = new Set<QueueWatcher>();

  /** A new watcher; `onStop` runs once when it stops. */
  open(service: string | undefined, onStop?: () => void): RegistryWatcher {
    const watcher = new QueueWatcher(service, () => {
      this.watchers.delete(watcher);
      onStop?.();
    });
    this.watchers.add(watcher);
    return watcher;
  }

  get size(): number {
    return this.watchers.size;
  }

  emit(event: RegistryEvent): void {
    for (const watcher of this.watchers) watcher.push(event);
  }

  closeAll(): void {
    for (const watcher of [...this.watchers]) watcher.stop();
  }
}

class QueueWatcher implements RegistryWatcher {
  private readonly queue: RegistryEvent[] = [];
  private waiting: ((result: IteratorResult<RegistryEvent>) => void) | undefined;
  private stopped = false;

  constructor(
    private readonly service: string | undefined,
    private readonly onStop: () => void,
  ) {}

  push(event: RegistryEvent): void {
    if (this.stopped) return;
    if (this.service !== undefined && event.service.name !== this.service) return;
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      waiting({ value: event, done: false });
    } else {
      this.queue.push(event);
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.queue.length = 0;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.({ value: undefined, done: true });
    this.onStop();
  }

  [Symbol.asyncIterator](): AsyncIterator<RegistryEvent> {
    return {
      next: () => {
        const event = this.queue.shift();
        if (event !== undefined) return Promise.resolve({ value: event, done: false });
        if (this.stopped) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          this.waiting = resolve;
        });
      },
      return: () => {
        this.stop();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
