import type { NatsConnection } from "@nats-io/nats-core";
import { nextTurn } from "../../platform/next-turn.js";
import { type Corkable, type HeldFlush, heldFlushOf, socketOf } from "../nats-internals.js";

/**
 * Holds a connection's socket writes until the end of the current turn of
 * the event loop (`setImmediate`), so that frames sent a few promise hops
 * apart leave in one system call instead of one each. nats.js flushes its
 * buffer in a microtask after the first publish, which a stream's next
 * message (a few `await`s later) always misses; one write per message is what
 * capped streaming, and events published one `await` after another. Order
 * and errors are unchanged: the socket only batches, and everything held
 * leaves before the event loop polls again.
 */
export class WriteCoalescer {
  private corked: Corkable | undefined;
  private flush: HeldFlush | undefined;

  /** `beforeRelease`: what must still be published when the turn's writes leave. */
  constructor(
    private readonly nc: NatsConnection,
    private readonly beforeRelease?: () => void,
  ) {}

  /** Called before a publish; whether the writes are held to the end of the turn. */
  hold(): boolean {
    if (this.corked !== undefined) return true;
    const socket = socketOf(this.nc);
    if (socket === undefined || socket.destroyed) return false;
    socket.cork();
    this.corked = socket;
    // nats.js's own buffer held too: the turn's publishes become one socket write, not one each.
    const flush = heldFlushOf(this.nc);
    flush?.hold();
    this.flush = flush;
    nextTurn(this.release);
    return true;
  }

  private readonly release = (): void => {
    this.beforeRelease?.();
    const socket = this.corked;
    this.corked = undefined;
    const flush = this.flush;
    this.flush = undefined;
    flush?.release();
    socket?.uncork();
  };
}
