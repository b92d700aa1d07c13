import { type Msg, type MsgHdrs, MsgHdrsImpl, headers as natsHeaders } from "@nats-io/nats-core";
import { Code } from "../../errors/code.js";
import { RpcError } from "../../errors/rpc-error.js";
import { sameBytesAt, utf8Bytes } from "../../platform/bytes.js";
import { headerBlockBytes, headerLine, parseHeaderBlock } from "../../wire/header-block.js";
import { natsInternalsEnabled, type RawHeaders, rawHeaders } from "../nats-internals.js";
import { EncodedHeaders, parseHeaders, parsePublic } from "../transport/header-block.js";

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

/** The header block of each frozen record, checked and encoded once (none: no headers). */
const frozenBlocks = new WeakMap<object, Uint8Array | null>();

/**
 * The header block bytes of a frozen record (an event type's constant
 * `Pn-Event-Type`, say), checked and encoded on first use, then the same
 * bytes for good; `null` for a record without headers. Throws `RpcError`
 * `InvalidArgument` for a name or value NATS cannot carry.
 */
function frozenBlock(record: Readonly<Record<string, string>>): Uint8Array | null {
  let block = frozenBlocks.get(record);
  if (block === undefined) {
    let lines = "";
    for (const [key, value] of Object.entries(record)) {
      // The same refusal nats.js gives for a name or value NATS cannot carry.
      natsHeaders().set(key, value);
      try {
        lines += headerLine(key, value);
      } catch (error) {
        throw new RpcError(Code.InvalidArgument, (error as Error).message);
      }
    }
    // A copy: headerBlockBytes shares its result with its next caller.
    block = lines === "" ? null : headerBlockBytes(lines).slice();
    frozenBlocks.set(record, block);
  }
  return block;
}

/**
 * Headers for a core publish, which nats.js only encodes. A frozen record
 * (an event type's constant `Pn-Event-Type`, say) is checked and encoded
 * once, then sent as the same prebuilt block: building and validating a
 * nats.js header map per publish cost more than encoding the event.
 * Other records go through nats.js's headers, as always.
 */
export function publishHeaders(
  record: Readonly<Record<string, string>> | undefined,
): MsgHdrs | undefined {
  if (record === undefined || !Object.isFrozen(record)) return toNatsHeaders(record);
  const block = frozenBlock(record);
  if (block === null) return undefined;
  // Without the fast paths, headers nats.js builds itself (its public decoder).
  return natsInternalsEnabled() ? new EncodedHeaders(block) : MsgHdrsImpl.decode(block);
}

/** JetStream's de-duplication header, which `js.publish({ msgID })` sets. */
const messageIdHeader = "Nats-Msg-Id";
const crlf = new Uint8Array([13, 10]);

/**
 * Headers for a durable publish of a frozen record: its prebuilt block with
 * the `Nats-Msg-Id` line added, the headers `js.publish(..., { headers,
 * msgID })` would send, without a nats.js header map validated and encoded
 * per publish. Undefined for any other record, or an id no header can carry:
 * then the caller goes the nats.js way, which refuses what it refuses.
 */
export function durableHeaders(
  record: Readonly<Record<string, string>> | undefined,
  messageId: string,
): MsgHdrs | undefined {
  if (record === undefined || !Object.isFrozen(record)) return undefined;
  // nats.js trims header values: an id it would change goes its way.
  if (messageId !== messageId.trim()) return undefined;
  const block = frozenBlock(record);
  if (block === null) return undefined;
  let line: Uint8Array;
  try {
    line = utf8Bytes(headerLine(messageIdHeader, messageId));
  } catch {
    return undefined;
  }
  // The block ends with the empty line: the id line goes before it.
  const end = block.length - crlf.length;
  const bytes = new Uint8Array(end + line.length + crlf.length);
  bytes.set(block.subarray(0, end));
  bytes.set(line, end);
  bytes.set(crlf, end + line.length);
  return natsInternalsEnabled() ? new EncodedHeaders(bytes) : MsgHdrsImpl.decode(bytes);
}

/** The record `coreHeadersAre` was last asked about and its block: a subscription asks about one. */
let lastAsked: object | undefined;
let lastExpected: Uint8Array | null = null;

/**
 * Whether a core message's header block is byte for byte the one
 * `publishHeaders(record)` sends for the frozen `record`: then its headers
 * are exactly `record`, known without parsing them. False when they are
 * not, when `record` is not frozen, or when the raw block cannot be read
 * (nats-internals off or unconfirmed for this message): parse then.
 */
export function coreHeadersAre(msg: Msg, record: Readonly<Record<string, string>>): boolean {
  let expected: Uint8Array | null;
  if (record === lastAsked) {
    expected = lastExpected;
  } else {
    if (!Object.isFrozen(record)) return false;
    try {
      expected = frozenBlock(record);
    } catch {
      return false;
    }
    lastAsked = record;
    lastExpected = expected;
  }
  checking = msg;
  const raw = rawHeaders(msg, agreesWithChecking);
  checking = undefined;
  if (raw === undefined) return false;
  if (expected === null) return raw.length === 0;
  return raw.length === expected.length && sameBytesAt(expected, raw.data, 0);
}

/**
 * The message `coreHeadersAre` is reading, for the self-check below: one
 * function for every message rather than a closure made per message.
 */
let checking: Msg | undefined;
const agreesWithChecking = (block: RawHeaders): boolean =>
  checking !== undefined && rawAgrees(block, checking);

/** Whether the raw parse of `block` says what nats.js says of `msg` (nats-internals' self-check). */
function rawAgrees(block: RawHeaders, msg: Msg): boolean {
  try {
    const raw = parseHeaderBlock(block.data, block.length);
    const known = parsePublic(msg);
    return (
      known !== undefined && raw.status === known.status && sameEntries(raw.entries, known.entries)
    );
  } catch {
    return false;
  }
}

/** Same names and values, in any order (nats.js groups a repeated name; the raw parse keeps wire order). */
function sameEntries(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const pairs = (e: readonly string[]) => {
    const out: string[] = [];
    for (let i = 0; i < e.length; i += 2) out.push(`${e[i]}\n${e[i + 1]}`);
    return out.sort().join("\n");
  };
  return pairs(a) === pairs(b);
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
