import type { NatsConnection, Status } from "@nats-io/nats-core";
import { deadlines, type Expirable } from "../../call/deadline-wheel.js";
import { abortError } from "../../client/abort-error.js";
import { Code } from "../../errors/code.js";
import { RpcError } from "../../errors/rpc-error.js";
import { markUndelivered } from "../../errors/undelivered.js";

/** What a transport does when its connection goes away and comes back. */
export interface ConnectionListener {
  disconnected(): void;
  reconnected(): void;
}

/**
 * Whether a NATS connection can carry frames now, from its public status
 * events (`nc.status()`). While nats.js reconnects, what is published goes
 * into a buffer that it discards on each new dial, so a frame sent then is
 * lost for sure: callers fail fast or wait here instead of sending.
 */
export class ConnectionState {
  connected = true;
  private closed = false;
  private readonly waiters = new Set<ReadyWaiter>();
  private readonly statuses: AsyncIterable<Status>;

  constructor(
    nc: NatsConnection,
    private readonly listener: ConnectionListener,
  ) {
    this.connected = !nc.isClosed();
    this.statuses = nc.status();
    void this.follow();
    nc.closed().then(
      () => this.close(),
      () => this.close(),
    );
  }

  /**
   * Resolves once the connection is up (at once when it is). Rejects with
   * `DeadlineExceeded` at `deadline` (epoch ms), with the signal's reason when
   * it aborts, and with `Unavailable` when the connection closes for good.
   * Nothing was sent when it rejects: the error is marked undelivered.
   */
  whenConnected(deadline: number | undefined, signal: AbortSignal | undefined): Promise<void> {
    if (this.closed) return Promise.reject(closedError());
    if (this.connected) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = new ReadyWaiter(this.waiters, resolve, reject, signal);
      this.waiters.add(waiter);
      if (deadline !== undefined) deadlines.add(waiter, deadline);
      signal?.addEventListener("abort", waiter);
    });
  }

  private async follow(): Promise<void> {
    try {
      for await (const status of this.statuses) {
        if (status.type === "disconnect") {
          this.connected = false;
          this.listener.disconnected();
        } else if (status.type === "reconnect") {
          this.connected = true;
          for (const waiter of [...this.waiters]) waiter.settle(undefined);
          this.listener.reconnected();
        }
      }
    } catch {
      // The iterator ends with the connection; close() reports it.
    }
  }

  /**
   * Stops following the connection (its owner closed; the connection lives
   * on): what waits fails `Unavailable`.
   */
  stop(): void {
    // nats.js types status() as an AsyncIterable; what it returns is its
    // QueuedIterator, whose public stop() unregisters it at once (a `return()`
    // would wait for the next status).
    (this.statuses as { stop?: () => void }).stop?.();
    this.close();
  }

  private close(): void {
    this.closed = true;
    this.connected = false;
    const error = closedError();
    for (const waiter of [...this.waiters]) waiter.settle(error);
  }
}

function closedError(): RpcError {
  return markUndelivered(new RpcError(Code.Unavailable, "NATS connection closed"));
}

/** One call waiting for the connection: its deadline-wheel entry and abort listener. */
class ReadyWaiter implements Expirable {
  wheelSlot = -1;

  constructor(
    private readonly set: Set<ReadyWaiter>,
    private readonly resolve: () => void,
    private readonly reject: (error: Error) => void,
    private readonly signal: AbortSignal | undefined,
  ) {}

  expire(): void {
    this.settle(
      markUndelivered(
        new RpcError(
          Code.DeadlineExceeded,
          "deadline exceeded while waiting for NATS to reconnect",
        ),
      ),
    );
  }

  handleEvent(): void {
    this.settle(abortError(this.signal));
  }

  settle(error: Error | undefined): void {
    if (!this.set.delete(this)) return;
    if (this.wheelSlot !== -1) deadlines.remove(this);
    this.signal?.removeEventListener("abort", this);
    if (error === undefined) this.resolve();
    else this.reject(error);
  }
}
