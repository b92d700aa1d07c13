import type { NatsConnection } from "@nats-io/nats-core";
import { nextTurn } from "../../platform/next-turn.js";
import { type Corkable, socketOf } from "../nats-internals.js";

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

  constructor(private readonly nc: NatsConnection) {}

  /** Called before a publish. */
  hold(): void {
    if (this.corked !== undefined) return;
    const socket = socketOf(this.nc);
    if (socket === undefined || socket.destroyed) return;
    socket.cork();
    this.corked = socket;
    nextTurn(this.release);
  }

  private readonly release = (): void => {
    const socket = this.corked;
    this.corked = undefined;
    socket?.uncork();
  };
}
