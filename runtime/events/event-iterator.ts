import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import type { BrokerSubscription } from "../broker/broker.js";
import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import { asyncDispose } from "../lifecycle/async-dispose.js";
import type {
  EventContext,
  EventIterator,
  EventSubscription,
  ReceivedEvent,
} from "./event-types.js";

interface Pending<D extends DescMessage> {
  received: ReceivedEvent<D>;
  handled: () => void;
  refused: (error: RpcError) => void;
}

/** Subscription plus a queue between the broker's handler calls and the loop. */
export function subscriptionOf(subscription: BrokerSubscription): EventSubscription {
  return {
    subject: subscription.subject,
    unsubscribe: () => subscription.unsubscribe(),
    [asyncDispose]: () => subscription.unsubscribe(),
  };
}

/** The queue feeding an {@link EventIterator}; its `handler` goes to the broker. */
export class EventQueue<D extends DescMessage> {
  private readonly queue: Pending<D>[] = [];
  private current: Pending<D> | undefined;
  private waiter: ((result: IteratorResult<ReceivedEvent<D>>) => void) | undefined;
  private ended = false;

  /** Resolves once the loop is done with the event. */
  readonly handler = (event: MessageShape<D>, context: EventContext): Promise<void> =>
    new Promise<void>((handled, refused) => {
      if (this.ended) {
        refused(ended());
        return;
      }
      const pending = { received: { event, context }, handled, refused };
      const waiter = this.waiter;
      if (waiter !== undefined) {
        this.waiter = undefined;
        this.current = pending;
        waiter({ value: pending.received, done: false });
      } else {
        this.queue.push(pending);
      }
    });

  iterator(subscription: BrokerSubscription): EventIterator<D> {
    const stop = async () => {
      this.end();
      await subscription.unsubscribe();
    };
    const next = (): Promise<IteratorResult<ReceivedEvent<D>>> => {
      this.current?.handled();
      this.current = undefined;
      const head = this.queue.shift();
      if (head !== undefined) {
        this.current = head;
        return Promise.resolve({ value: head.received, done: false });
      }
      if (this.ended) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => {
        this.waiter = resolve;
      });
    };
    return {
      subject: subscription.subject,
      unsubscribe: stop,
      [asyncDispose]: stop,
      [Symbol.asyncIterator]: () => ({
        next,
        return: async () => {
          await stop();
          return { value: undefined, done: true };
        },
      }),
    };
  }

  /** Settles everything: the event in hand is handled, the queued ones go back. */
  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.current?.handled();
    this.current = undefined;
    for (const pending of this.queue.splice(0)) pending.refused(ended());
    this.waiter?.({ value: undefined, done: true });
    this.waiter = undefined;
  }
}

function ended(): RpcError {
  return new RpcError(Code.Canceled, "the event iterator ended before taking this event");
}
