/** Something with a deadline: a call or stream the wheel expires. */
export interface Expirable {
  /** Called once when the deadline passes; must not throw. */
  expire(): void;
  /** Slot the item sits in, or -1. Owned by the wheel. */
  wheelSlot: number;
}

/** Granularity of deadlines: they fire at most this late. */
const resolutionMs = 10;

/**
 * All deadlines of the process on one timer: items sit in buckets of
 * {@link resolutionMs}; a single unref'd interval, running only while
 * something waits, expires whole buckets. Adding and removing are O(1), so a
 * call costs no timer of its own.
 */
export class DeadlineWheel {
  private readonly buckets = new Map<number, Set<Expirable>>();
  private size = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastSlot = 0;

  /** Expires `item` at epoch milliseconds `deadline` (rounded up to the resolution). */
  add(item: Expirable, deadline: number): void {
    if (item.wheelSlot !== -1) this.remove(item);
    const slot = Math.max(Math.ceil(deadline / resolutionMs), this.lastSlot + 1);
    let bucket = this.buckets.get(slot);
    if (bucket === undefined) {
      bucket = new Set();
      this.buckets.set(slot, bucket);
    }
    bucket.add(item);
    item.wheelSlot = slot;
    this.size++;
    if (this.timer === undefined) this.start();
  }

  /** Forgets `item`; a no-op when it is not on the wheel. */
  remove(item: Expirable): void {
    const slot = item.wheelSlot;
    if (slot === -1) return;
    item.wheelSlot = -1;
    const bucket = this.buckets.get(slot);
    if (bucket?.delete(item)) {
      if (bucket.size === 0) this.buckets.delete(slot);
      --this.size;
    }
  }

  private start(): void {
    // A timer stays after its last item (until an idle tick), so that sequential
    // calls do not create and clear an interval each.
    if (this.timer !== undefined) return;
    this.lastSlot = Math.floor(Date.now() / resolutionMs);
    this.timer = setInterval(() => this.tick(), resolutionMs);
    this.timer.unref?.(); // Browsers have no unref.
  }

  private stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    if (this.size === 0) {
      this.stop();
      return;
    }
    const now = Math.floor(Date.now() / resolutionMs);
    const from = this.lastSlot + 1;
    this.lastSlot = now;
    // After a long stall, walking the (few) buckets beats walking every slot.
    if (now - from > this.buckets.size) {
      for (const slot of [...this.buckets.keys()]) if (slot <= now) this.expireSlot(slot);
    } else {
      for (let slot = from; slot <= now; slot++) this.expireSlot(slot);
    }
  }

  private expireSlot(slot: number): void {
    const bucket = this.buckets.get(slot);
    if (bucket === undefined) return;
    this.buckets.delete(slot);
    for (const item of bucket) {
      item.wheelSlot = -1;
      this.size--;
      item.expire();
    }
  }
}

/** The process-wide wheel shared by every client and server. */
export const deadlines = new DeadlineWheel();
