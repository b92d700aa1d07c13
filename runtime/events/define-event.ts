import { create, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import type { BrokerMessage, DurableOptions, SubscribeOptions } from "../broker/broker.js";
import type { StreamLimits } from "../broker/stream-limits.js";
import { encodeBinary } from "../codec/binary.js";
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

  return {
    schema,
    options: Object.freeze({ ...options }),
    stream,

    async publish(runtime, event, publishOptions: EventPublishOptions = {}) {
      const message = create(schema, event);
      const subject = template.subjectFor(message);
      const headers = { ...publishOptions.headers, [EventTypeHeader]: schema.typeName };
      const durable = publishOptions.durable ?? options.durable ?? false;
      await resolveRuntime(runtime).broker.publish(subject, encodeBinary(schema, message), {
        headers,
        ...(durable ? { durable, stream, streamSubject, streamLimits } : {}),
        ...(publishOptions.messageId === undefined ? {} : { messageId: publishOptions.messageId }),
      });
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
        (message) => handler(decodeEvent(schema, message), eventContext(template, message)),
        brokerOptions,
      );
      // A callback subscription is typed without the iterator (see EventDefinition's overloads).
      return inbox?.iterator(subscription) ?? (subscriptionOf(subscription) as EventIterator<D>);
    },

    subjectFor(event: MessageInitShape<D>) {
      return template.subjectFor(create(schema, event));
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

function eventContext(template: SubjectTemplate, message: BrokerMessage): EventContext {
  let tokens: Record<string, string> | undefined;
  return {
    subject: message.subject,
    get headers() {
      return message.headers;
    },
    deliveryCount: message.deliveryCount,
    // Parsed only if the handler looks.
    get tokens() {
      tokens ??= template.parse(message.subject);
      return tokens;
    },
  };
}
