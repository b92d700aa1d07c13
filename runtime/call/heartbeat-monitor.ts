/** A stream whose peer must show signs of life. */
export interface Heartbeating {
  /** Send a ping after this many idle milliseconds. */
  readonly heartbeatMs: number;
  /** Give the peer up after this many milliseconds without any frame from it. */
  readonly deadAfterMs: number;
  /** `performance.now()` when this side last sent a frame. */
  lastSent: number;
  /** `performance.now()` when a frame from the peer last arrived. */
  lastReceived: number;
  /** Sends a `ping` frame (and updates `lastSent`). Must not throw. */
  ping(): void;
  /** The peer is presumed dead: fail and clean up. Must not throw. */
  peerGone(): void;
}

/**
 * Watches every open stream of the process with one unref'd interval that
 * runs only while streams exist, ticking at a quarter of the shortest
 * heartbeat interval among them: a dead peer is noticed at most
 * `deadAfterMs + heartbeatMs / 4` after its last frame.
 */
export class HeartbeatMonitor {
  private readonly streams = new Set<Heartbeating>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private tickMs = Infinity;

  add(stream: Heartbeating): void {
    this.streams.add(stream);
    const tick = Math.max(5, Math.floor(stream.heartbeatMs / 4));
    if (tick < this.tickMs) this.restart(tick);
  }

  remove(stream: Heartbeating): void {
    if (this.streams.delete(stream) && this.streams.size === 0) this.restart(Infinity);
  }

  private restart(tick: number): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.tickMs = tick;
    if (tick === Infinity) return;
    this.timer = setInterval(() => this.check(), tick);
    this.timer.unref?.(); // Browsers have no unref.
  }

  private check(): void {
    const now = performance.now();
    for (const s of this.streams) {
      if (now - s.lastReceived >= s.deadAfterMs) {
        this.streams.delete(s);
        s.peerGone();
      } else if (now - s.lastSent >= s.heartbeatMs) {
        s.ping();
      }
    }
    if (this.streams.size === 0) this.restart(Infinity);
  }
}

/** The process-wide monitor shared by every client and server stream. */
export const heartbeats = new HeartbeatMonitor();
