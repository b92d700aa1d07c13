import { createInbox, type NatsConnection } from "@nats-io/transport-node";

/**
 * The raw "pipe": one callback subscription on a wildcard inbox, correlation
 * by reply-subject suffix, no timer per call. What a hand-written RPC on
 * nats.js can reach; protonats is measured against it.
 */
export function rawPipe(nc: NatsConnection, subject: string) {
  const inbox = createInbox();
  const prefixLength = inbox.length + 1;
  const pending = new Map<number, (data: Uint8Array) => void>();
  let nextId = 0;
  const sub = nc.subscribe(`${inbox}.*`, {
    callback: (_err, msg) => {
      const id = Number(msg.subject.slice(prefixLength));
      const resolve = pending.get(id);
      if (resolve) {
        pending.delete(id);
        resolve(msg.data);
      }
    },
  });
  return {
    call(payload: Uint8Array): Promise<Uint8Array> {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        nc.publish(subject, payload, { reply: `${inbox}.${id}` });
      });
    },
    close: () => sub.unsubscribe(),
  };
}
