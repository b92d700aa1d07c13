import type { DescMessage } from "@bufbuild/protobuf";
import { Code } from "../../errors/code.js";
import { RpcError } from "../../errors/rpc-error.js";
import { defineEvent } from "../../events/define-event.js";
import type { EventDefinition } from "../../events/event-types.js";
import { eventOptionsOf } from "../proto-text.js";
import type { Schemas } from "../schemas.js";

/** A message with the `(protonats.v1.event)` option, as a typed event. */
export async function findEvent(
  schemas: Schemas,
  name: string,
): Promise<EventDefinition<DescMessage>> {
  const message = await schemas.message(name);
  const options = eventOptionsOf(message);
  if (!options?.subject) {
    throw new RpcError(
      Code.InvalidArgument,
      `${message.typeName} is a message but not an event (no (protonats.v1.event) option)`,
    );
  }
  return defineEvent(message, {
    subject: options.subject,
    queue: options.queue,
    durable: options.durable,
    stream: options.stream,
  });
}

/**
 * What `subscribe` was given: an event (by message name), or a subject. A
 * wildcard makes it a subject; else an event of that name; else, when it has
 * dots, a subject (e.g. `orders.eu.placed`).
 */
export async function eventOrSubject(
  schemas: Schemas,
  target: string,
): Promise<EventDefinition<DescMessage> | undefined> {
  if (/[*>]/.test(target)) return undefined;
  try {
    return await findEvent(schemas, target);
  } catch (error) {
    if (error instanceof RpcError && error.code === Code.NotFound && target.includes(".")) {
      return undefined;
    }
    throw error;
  }
}
