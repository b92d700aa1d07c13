import type { DescMessage, MessageInitShape } from "@bufbuild/protobuf";
import type {
  BrokerMessage,
  DurableOptions,
  PublishOptions,
  SubscribeOptions,
} from "../broker/broker.js";
import type { StreamLimits } from "../broker/stream-limits.js";
import { encodeInitForSend } from "../codec/binary.js";
import { type RuntimeLike, resolveRuntime } from "../runtime.js";
import { decodeEvent } from "./event-decoder.js";
import { EventTypeHeader } from "./event-headers.js";
import { EventQueue, subscriptionOf } from "./event-iterator.js";
import type {
  EventContext,
  EventDefinition,
  EventHandler,
  EventIterator,
  EventOptions,
  EventPublishOptions,
  EventSubscribeOptions,
} from "./event-types.js";
import { defaultStreamName } from "./stream-name.js";
import { SubjectTemplate } from "./subject-template.js";

const noPublishOptions: EventPublishOptions = {};

/**
 * Binds a protobuf message type to a subject, making it a typed event:
 *
 * ```ts
 * export const OrderPlacedEvent = defineEvent(OrderPlacedSchema, {
 *   subject: "orders.{region}.placed",
 *   queue: "fulfillment",
 * });
 * await OrderPlacedEvent.publish(nc, { region: "eu", order });
 * await OrderPlacedEvent.subscribe(nc, (event, ctx) => ship(event.order), { tokens: { region: "eu" } });
 * ```
 *
 * The subject template is checked here, so a typo in a token fails at load
 * time rather than at the first publish. Bodies are protobuf binary, with the
 * type name in the `Pn-Event-Type` header.
 */
export function defineEvent<D extends DescMessage>(
  schema: D,
  options: EventOptions,
): EventDefinition<D> {
  const template = new SubjectTemplate(options.subject, schema);
  const stream = options.stream || defaultStreamName(options.subject);
  // Every subject of the event, so one stream stores them all.
  const streamSubject = template.pattern();
  const streamLimits: StreamLimits = {};
  if (options.streamMaxAgeMs !== undefined) streamLimits.maxAgeMs = options.streamMaxAgeMs;
  if (options.streamMaxBytes !== undefined) streamLimits.maxBytes = options.streamMaxBytes;
  // Publish options built once per event, not per publish. Frozen: the NATS
  // broker encodes a frozen header record once and reuses the block.
  const typeHeaders = Object.freeze({ [EventTypeHeader]: schema.typeName });
  const corePublish: PublishOptions = Object.freeze({ headers: typeHeaders });
  const durablePublish: PublishOptions = Object.freeze({
    headers: typeHeaders,
    durable: true,
    stream,
    streamSubject,
    streamLimits,
  });

  return {
    schema,
    options: Object.freeze({ ...options }),
    stream,

    publish(runtime, event, publishOptions: EventPublishOptions = noPublishOptions) {
      // Not async: a core publish settles at once, and an async frame per
      // event is a promise and a microtask hop more. Failures still reject.
      try {
        // Subject and bytes straight from the init object: making the message
        // with create() first was a seventh of a publish.
        const subject = template.subjectForInit(event);
        const durable = publishOptions.durable ?? options.durable ?? false;
        const extra = publishOptions.headers;
        const brokerOptions: PublishOptions =
          extra === undefined && publishOptions.messageId === undefined
            ? durable
              ? durablePublish
              : corePublish
            : {
                // The type header last: a caller's header must not pass for another type.
                headers: extra === undefined ? typeHeaders : { ...extra, ...typeHeaders },
                ...(durable ? durablePublish : {}),
                ...(publishOptions.messageId === undefined
                  ? {}
                  : { messageId: publishOptions.messageId }),
              };
        return resolveRuntime(runtime).broker.publish(
          subject,
          // The broker hands the bytes to the connection (or copies them): safe to share a slab.
          encodeInitForSend(schema, event),
          brokerOptions,
        );
      } catch (error) {
        return Promise.reject(error);
      }
    },

    async subscribe(
      runtime: RuntimeLike,
      handlerOrOptions?: EventHandler<D> | EventSubscribeOptions,
      maybeOptions?: EventSubscribeOptions,
    ): Promise<EventIterator<D>> {
      const inbox = typeof handlerOrOptions === "function" ? undefined : new EventQueue<D>();
      const handler = typeof handlerOrOptions === "function" ? handlerOrOptions : inbox!.handler;
      const subscribeOptions =
        (typeof handlerOrOptions === "function" ? maybeOptions : handlerOrOptions) ?? {};
      const subject = template.pattern(subscribeOptions.tokens);
      const queue = subscribeOptions.queue ?? options.queue ?? "";
      const durable = durableOptions(subscribeOptions.durable ?? options.durable ?? false, {
        stream,
        streamSubject,
        streamLimits,
        // One consumer per (queue, event): a service whose queue takes several events of one
        // stream gets a consumer for each, e.g. `billing-OrderShipped`, instead of a clash.
        ...(queue ? { name: `${queue}-${schema.name}` } : {}),
      });
      const brokerOptions: SubscribeOptions = {
        ...(queue ? { queue } : {}),
        ...(durable ? { durable } : {}),
        ...(subscribeOptions.onError ? { onError: subscribeOptions.onError } : {}),
      };
      const subscription = await resolveRuntime(runtime).broker.subscribe(
        subject,
        (message) =>
          handler(
            decodeEvent(schema, message, typeHeaders),
            new DeliveredEventContext(template, message),
          ),
        brokerOptions,
      );
      // A callback subscription is typed without the iterator (see EventDefinition's overloads).
      return inbox?.iterator(subscription) ?? (subscriptionOf(subscription) as EventIterator<D>);
    },

    subjectFor(event: MessageInitShape<D>) {
      return template.subjectForInit(event);
    },

    pattern(tokens) {
      return template.pattern(tokens);
    },
  };
}

function durableOptions(
  requested: boolean | Partial<DurableOptions>,
  defaults: { stream: string; streamSubject: string; streamLimits: StreamLimits; name?: string },
): DurableOptions | undefined {
  if (requested === false) return undefined;
  const given = requested === true ? {} : requested;
  return { ...defaults, ...given };
}

/**
 * What a handler gets besides the event. A class rather than an object
 * literal with getters: one is made per delivered event, and subject,
 * headers and tokens are read from the message only if the handler looks.
 */
class DeliveredEventContext implements EventContext {
  readonly #template: SubjectTemplate;
  readonly #message: BrokerMessage;
  #tokens: Record<string, string> | undefined;

  constructor(template: SubjectTemplate, message: BrokerMessage) {
    this.#template = template;
    this.#message = message;
  }

  get subject(): string {
    return this.#message.subject;
  }

  get deliveryCount(): number {
    return this.#message.deliveryCount;
  }

  get headers(): Readonly<Record<string, string>> {
    return this.#message.headers;
  }

  get tokens(): Readonly<Record<string, string>> {
    this.#tokens ??= this.#template.parse(this.subject);
    return this.#tokens;
  }
}
