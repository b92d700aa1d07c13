import type {
  Broker,
  BrokerHandler,
  BrokerMessage,
  BrokerSubscription,
  DurableOptions,
  PublishOptions,
  SubscribeOptions,
} from "../broker/broker.js";
import { DeadLetterHeader } from "../broker/dead-letter-headers.js";
import { InFlight } from "../broker/in-flight.js";
import { isPermanentFailure } from "../broker/permanent-failure.js";
import {
  type BrokerLogger,
  type ErrorReporter,
  loggingReporter,
  safeReport,
} from "../broker/report.js";
import { isConcreteSubject, isValidSubject, subjectMatches } from "../broker/subjects.js";
import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";

export interface MemoryBrokerOptions {
  /** Where failures without an `onError` are reported. Default: `console`. */
  logger?: BrokerLogger;
}

/** Same defaults as the NATS broker, except backoff: unit tests should not wait seconds. */
const memoryDurableDefaults = { maxDeliveries: 5, backoffMs: [10, 50, 100] };
/** Same as a JetStream stream's default duplicate window. */
const duplicateWindowMs = 2 * 60_000;

/** One message on its way to a durable group, remembering how often it was delivered. */
interface Pending {
  readonly subject: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  deliveries: number;
}

/**
 * An in-process broker for unit tests of services, with the semantics of the
 * NATS one: NATS subject wildcards (`*`, `>`), queue groups delivering each
 * message to one member, handler failures reported and never ending a
 * subscription, asynchronous delivery (a publish never runs a handler inside
 * the caller).
 *
 * Durable subscriptions behave like a JetStream consumer within one process:
 * a named consumer (durable name or queue) keeps the messages published while
 * it has no member and hands them to the next one that subscribes, failures
 * are redelivered with backoff then dead-lettered, and `messageId` duplicates
 * within two minutes are dropped. Nothing survives the process.
 */
export class MemoryBroker implements Broker {
  readonly #logger: BrokerLogger;
  readonly #subscriptions = new Set<MemorySubscription>();
  readonly #groups = new Map<string, DurableGroup>();
  readonly #seenIds = new Map<string, number>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #roundRobin = new Map<string, number>();

  constructor(options: MemoryBrokerOptions = {}) {
    this.#logger = options.logger ?? console;
  }

  async publish(subject: string, body: Uint8Array, options: PublishOptions = {}): Promise<void> {
    checkConcreteSubject(subject);
    if (
      options.durable &&
      options.messageId !== undefined &&
      this.#isDuplicate(options.messageId)
    ) {
      return;
    }
    // Copies, as the network would: the publisher may reuse its buffer.
    const pending: Pending = {
      subject,
      headers: { ...options.headers },
      body: body.slice(),
      deliveries: 0,
    };
    this.#deliverCore(pending);
    for (const group of this.#groups.values()) {
      if (subjectMatches(group.pattern, subject)) group.offer({ ...pending });
    }
  }

  async subscribe(
    subject: string,
    handler: BrokerHandler,
    options: SubscribeOptions = {},
  ): Promise<BrokerSubscription> {
    if (!isValidSubject(subject)) {
      throw new RpcError(Code.InvalidArgument, `invalid subject "${subject}"`);
    }
    const report = options.onError ?? loggingReporter(this.#logger);
    const subscription = new MemorySubscription(subject, handler, report, this.#logger, () =>
      this.#remove(subscription),
    );
    if (options.durable) {
      this.#joinGroup(subscription, subject, options.durable, options.queue);
    } else {
      subscription.queue = options.queue || undefined;
      this.#subscriptions.add(subscription);
    }
    return subscription;
  }

  /**
   * Ends every subscription and forgets durable consumers and pending
   * redeliveries. The broker stays usable, as the NATS one does.
   */
  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const all = [...this.#subscriptions, ...[...this.#groups.values()].flatMap((g) => g.members)];
    await Promise.all(all.map((s) => s.unsubscribe()));
    this.#groups.clear();
  }

  #deliverCore(pending: Pending): void {
    const byQueue = new Map<string, MemorySubscription[]>();
    for (const s of this.#subscriptions) {
      if (!subjectMatches(s.subject, pending.subject)) continue;
      if (s.queue === undefined) {
        s.deliver(pending, 1);
        continue;
      }
      const members = byQueue.get(s.queue);
      if (members) members.push(s);
      else byQueue.set(s.queue, [s]);
    }
    for (const [queue, members] of byQueue) {
      this.#pick(`core ${queue}`, members).deliver(pending, 1);
    }
  }

  #pick(key: string, members: MemorySubscription[]): MemorySubscription {
    const next = (this.#roundRobin.get(key) ?? 0) % members.length;
    this.#roundRobin.set(key, next + 1);
    return members[next] as MemorySubscription;
  }

  #joinGroup(
    subscription: MemorySubscription,
    subject: string,
    durable: DurableOptions,
    queue: string | undefined,
  ): void {
    const name = durable.name || queue || undefined;
    const key = name === undefined ? `ephemeral ${Math.random()}` : `${durable.stream} ${name}`;
    let group = this.#groups.get(key);
    if (group && group.pattern !== subject) {
      throw new RpcError(
        Code.FailedPrecondition,
        `consumer ${name} on stream ${durable.stream} filters "${group.pattern}", not "${subject}"`,
      );
    }
    if (!group) {
      const deadLetterSubject =
        durable.deadLetterSubject ?? `pn.dlq.${durable.stream}.${name ?? "ephemeral"}`;
      checkConcreteSubject(deadLetterSubject);
      group = new DurableGroup(key, subject, name !== undefined, {
        maxDeliveries: durable.maxDeliveries ?? memoryDurableDefaults.maxDeliveries,
        backoffMs: durable.backoffMs ?? memoryDurableDefaults.backoffMs,
        deadLetterSubject,
        stream: durable.stream,
        pick: (members) => this.#pick(key, members),
        later: (ms, fn) => this.#later(ms, fn),
        deadLetter: (target, body, headers) => this.publish(target, body, { headers }),
      });
      this.#groups.set(key, group);
    }
    subscription.group = group;
    group.join(subscription);
  }

  #later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }

  #remove(subscription: MemorySubscription): void {
    this.#subscriptions.delete(subscription);
    const group = subscription.group;
    if (group) {
      group.leave(subscription);
      if (!group.keeps && group.members.length === 0) this.#groups.delete(group.key);
    }
  }

  #isDuplicate(id: string): boolean {
    const now = Date.now();
    for (const [seen, at] of this.#seenIds) {
      if (now - at < duplicateWindowMs) break;
      this.#seenIds.delete(seen);
    }
    if (this.#seenIds.has(id)) return true;
    this.#seenIds.set(id, now);
    return false;
  }
}

function checkConcreteSubject(subject: string): void {
  if (!isConcreteSubject(subject)) {
    throw new RpcError(Code.InvalidArgument, `invalid subject "${subject}"`);
  }
}

interface GroupSettings {
  maxDeliveries: number;
  backoffMs: readonly number[];
  deadLetterSubject: string;
  stream: string;
  pick(members: MemorySubscription[]): MemorySubscription;
  later(ms: number, fn: () => void): void;
  deadLetter(subject: string, body: Uint8Array, headers: Record<string, string>): Promise<void>;
}

/** A durable consumer: members share its messages; a named one keeps them while it has none. */
class DurableGroup {
  readonly members: MemorySubscription[] = [];
  #backlog: Pending[] = [];
  #sequence = 0;

  constructor(
    readonly key: string,
    readonly pattern: string,
    /** Named consumers outlive their members, as JetStream durables do. */
    readonly keeps: boolean,
    private readonly settings: GroupSettings,
  ) {}

  join(member: MemorySubscription): void {
    this.members.push(member);
    const backlog = this.#backlog;
    this.#backlog = [];
    for (const pending of backlog) this.offer(pending);
  }

  leave(member: MemorySubscription): void {
    const i = this.members.indexOf(member);
    if (i >= 0) this.members.splice(i, 1);
  }

  offer(pending: Pending): void {
    if (this.members.length === 0) {
      this.#backlog.push(pending);
      return;
    }
    const member = this.settings.pick(this.members);
    pending.deliveries++;
    member.deliver(pending, pending.deliveries, (error) => this.#failed(pending, error));
  }

  #failed(pending: Pending, error: unknown): void {
    const { maxDeliveries, backoffMs, later } = this.settings;
    if (isPermanentFailure(error) || pending.deliveries >= maxDeliveries) {
      this.#deadLetter(pending, error);
      return;
    }
    const delay = backoffMs[Math.min(pending.deliveries, backoffMs.length) - 1] ?? 0;
    later(delay, () => this.offer(pending));
  }

  #deadLetter(pending: Pending, error: unknown): void {
    const { deadLetterSubject, stream } = this.settings;
    const headers: Record<string, string> = {
      ...pending.headers,
      [DeadLetterHeader.Subject]: pending.subject,
      [DeadLetterHeader.Stream]: stream,
      [DeadLetterHeader.Sequence]: String(++this.#sequence),
      [DeadLetterHeader.Consumer]: this.key,
      [DeadLetterHeader.Deliveries]: String(pending.deliveries),
      [DeadLetterHeader.Code]: String(error instanceof RpcError ? error.code : Code.Unknown),
      [DeadLetterHeader.Error]: encodeURIComponent(
        error instanceof RpcError
          ? error.rawMessage
          : error instanceof Error
            ? error.message
            : String(error),
      ),
    };
    // Cannot fail: the subject is checked when the group is made.
    void this.settings.deadLetter(deadLetterSubject, pending.body, headers).catch(noop);
  }
}

/** One subscriber: runs its handler per message, reports failures, tracks handlers in progress. */
class MemorySubscription implements BrokerSubscription {
  queue: string | undefined;
  group: DurableGroup | undefined;
  readonly #inFlight = new InFlight();
  #active = true;
  #closed: Promise<void> | undefined;

  constructor(
    readonly subject: string,
    private readonly handler: BrokerHandler,
    private readonly report: ErrorReporter,
    private readonly logger: BrokerLogger,
    private readonly onUnsubscribe: () => void,
  ) {}

  deliver(pending: Pending, deliveryCount: number, onFailed?: (error: unknown) => void): void {
    const message: BrokerMessage = {
      subject: pending.subject,
      headers: pending.headers,
      body: pending.body,
      deliveryCount,
    };
    // Later, never inside the publisher's call, as over a network.
    queueMicrotask(() => {
      if (!this.#active) {
        // Unsubscribed meanwhile: a durable message goes back to the group.
        if (onFailed) this.group?.offer({ ...pending, deliveries: pending.deliveries - 1 });
        return;
      }
      this.#inFlight.run(
        () => this.handler(message),
        noop,
        (error) => {
          safeReport(this.report, this.logger, error, message);
          onFailed?.(error);
        },
      );
    });
  }

  unsubscribe(): Promise<void> {
    this.#closed ??= (async () => {
      this.#active = false;
      this.onUnsubscribe();
      await this.#inFlight.idle();
    })();
    return this.#closed;
  }
}

function noop(): void {}
