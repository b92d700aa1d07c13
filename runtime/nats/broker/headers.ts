import { type MsgHdrs, headers as natsHeaders } from "@nats-io/nats-core";

/** NATS headers from a plain record; `undefined` when there are none (no header block sent). */
export function toNatsHeaders(
  record: Readonly<Record<string, string>> | undefined,
): MsgHdrs | undefined {
  if (record === undefined) return undefined;
  let h: MsgHdrs | undefined;
  for (const [key, value] of Object.entries(record)) {
    h ??= natsHeaders();
    h.set(key, value);
  }
  return h;
}

/** A plain record from NATS headers (first value of each key). */
export function fromNatsHeaders(h: MsgHdrs | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  if (h === undefined) return record;
  for (const key of h.keys()) record[key] = h.get(key);
  return record;
}
