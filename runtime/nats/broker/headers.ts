import { type Msg, type MsgHdrs, headers as natsHeaders } from "@nats-io/nats-core";
import { Code } from "../../errors/code.js";
import { RpcError } from "../../errors/rpc-error.js";
import { headerLine } from "../../wire/header-block.js";
import { headerBlock, parseHeaders } from "../transport/header-block.js";

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

/** The `Name: value\r\n` lines of frozen records, encoded once each. */
const frozenLines = new WeakMap<object, string>();

/**
 * Headers for a core publish, which nats.js only encodes. A frozen record
 * (an event type's constant `Pn-Event-Type`, say) is checked and turned into
 * header lines once, then sent as a prebuilt block: building and validating
 * a nats.js header map per publish cost more than encoding the event.
 * Other records go through nats.js's headers, as always.
 */
export function publishHeaders(
  record: Readonly<Record<string, string>> | undefined,
): MsgHdrs | undefined {
  if (record === undefined || !Object.isFrozen(record)) return toNatsHeaders(record);
  let lines = frozenLines.get(record);
  if (lines === undefined) {
    lines = "";
    for (const [key, value] of Object.entries(record)) {
      // The same refusal nats.js gives for a name or value NATS cannot carry.
      natsHeaders().set(key, value);
      try {
        lines += headerLine(key, value);
      } catch (error) {
        throw new RpcError(Code.InvalidArgument, (error as Error).message);
      }
    }
    frozenLines.set(record, lines);
  }
  return lines === "" ? undefined : headerBlock(lines);
}

/** A plain record from NATS headers (first value of each key). */
export function fromNatsHeaders(h: MsgHdrs | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  if (h === undefined) return record;
  for (const key of h.keys()) record[key] = h.get(key);
  return record;
}

const noHeaders: Readonly<Record<string, string>> = Object.freeze({});
/** The last parse and the record made from it: a subscription's events repeat one block. */
let lastParsed: object | undefined;
let lastRecord: Readonly<Record<string, string>> = noHeaders;

/**
 * The headers of a core message as a record (first value of each name),
 * parsed from the raw block where nats-internals allows it instead of
 * through nats.js's validating map. Consecutive messages with the same
 * block share one frozen record.
 */
export function coreMessageHeaders(msg: Msg): Readonly<Record<string, string>> {
  const parsed = parseHeaders(msg);
  if (parsed === undefined) return noHeaders;
  if (parsed === lastParsed) return lastRecord;
  const record: Record<string, string> = {};
  const { entries } = parsed;
  for (let i = 0; i < entries.length; i += 2) {
    const key = entries[i] as string;
    if (!Object.hasOwn(record, key)) record[key] = entries[i + 1] as string;
  }
  lastParsed = parsed;
  lastRecord = Object.freeze(record);
  return lastRecord;
}
