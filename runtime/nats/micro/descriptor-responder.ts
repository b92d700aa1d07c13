import type { NatsConnection } from "@nats-io/nats-core";
import { namespaced } from "../../transport/subjects.js";

/**
 * Reflection for tools: `[ns.]pn.descriptor.<package.Service>` answers with
 * the service's serialized `FileDescriptorSet`, so one live instance is enough
 * to describe and call a service even when a registry answer had to drop its
 * descriptors (bigger than `max_payload` together with the record).
 */
export function descriptorSubject(namespace: string | undefined, service: string): string {
  return namespaced(namespace, `pn.descriptor.${service}`);
}

/**
 * Answers descriptor requests for one service; the queue group makes one
 * instance answer. A set larger than the server's `max_payload` gets an empty
 * reply (tools then report the service as not describable) rather than a
 * publish error.
 */
export function startDescriptorResponder(
  nc: NatsConnection,
  namespace: string | undefined,
  service: string,
  fileDescriptors: Uint8Array,
): () => Promise<void> {
  const fits = fileDescriptors.length <= (nc.info?.max_payload ?? Infinity);
  const sub = nc.subscribe(descriptorSubject(namespace, service), {
    queue: "q",
    callback: (_err, msg) => {
      if (msg.reply) msg.respond(fits ? fileDescriptors : new Uint8Array());
    },
  });
  return async () => sub.unsubscribe();
}
