import { type Match, type Msg, type MsgHdrs, MsgHdrsImpl } from "@nats-io/nats-core";
import {
  checkHeaderBlockSize,
  headerBlockBytes,
  headerBlockSize,
  type ParsedHeaders,
  parseHeaderBlock,
} from "../../wire/header-block.js";
import { natsInternalsEnabled, type RawHeaders, rawHeaders } from "../nats-internals.js";

/**
 * The frame header block (runtime/wire/header-block.ts) on a nats.js message.
 * nats.js builds and parses headers through a map with a validating regex per
 * name and value, which costs more than the rest of a small call's
 * bookkeeping; protonats hands it the block's bytes and reads received blocks
 * from the raw message bytes (nats-internals.ts), through the public
 * `msg.headers` when that fast path is off.
 */

/**
 * Headers already encoded, for `nc.publish` (which only calls `encode()`).
 * Reading or changing them works too, through a decoded copy made on first
 * use, so the object is a complete `MsgHdrs` that costs one buffer when only
 * sent.
 */
export class EncodedHeaders implements MsgHdrs {
  private decoded: MsgHdrs | undefined;

  constructor(private readonly bytes: Uint8Array) {}

  encode(): Uint8Array {
    return this.decoded === undefined ? this.bytes : (this.decoded as MsgHdrsImpl).encode();
  }

  private get copy(): MsgHdrs {
    this.decoded ??= MsgHdrsImpl.decode(this.bytes);
    return this.decoded;
  }

  get hasError(): boolean {
    return this.copy.hasError;
  }
  get status(): string {
    return this.copy.status;
  }
  get code(): number {
    return this.copy.code;
  }
  get description(): string {
    return this.copy.description;
  }
  get(k: string, match?: Match): string {
    return this.copy.get(k, match);
  }
  set(k: string, v: string, match?: Match): void {
    this.copy.set(k, v, match);
  }
  append(k: string, v: string, match?: Match): void {
    this.copy.append(k, v, match);
  }
  has(k: string, match?: Match): boolean {
    return this.copy.has(k, match);
  }
  keys(): string[] {
    return this.copy.keys();
  }
  values(k: string, match?: Match): string[] {
    return this.copy.values(k, match);
  }
  delete(k: string, match?: Match): void {
    this.copy.delete(k, match);
  }
  last(k: string, match?: Match): string {
    return this.copy.last(k, match);
  }
  [Symbol.iterator](): Iterator<[string, string[]]> {
    return this.copy[Symbol.iterator]();
  }
}

/** Puts a header block made of `Name: value\r\n` lines on a message to publish. */
export function headerBlock(lines: string): EncodedHeaders | MsgHdrsImpl {
  // Sharing the bytes is safe: nats.js copies them into its buffer, and
  // EncodedHeaders changes a decoded copy, never the bytes.
  const bytes = headerBlockBytes(lines);
  // Without the fast paths, headers nats.js builds itself (its public decoder).
  return natsInternalsEnabled() ? new EncodedHeaders(bytes) : MsgHdrsImpl.decode(bytes);
}

/**
 * Parses the headers of a received message, or returns undefined when it has
 * none. Reads the raw header bytes when nats-internals allows it (checked
 * against `msg.headers` until a message confirms it); otherwise goes through
 * `msg.headers`. A block longer than `maxBytes` is refused with `RpcError`
 * `ResourceExhausted` before it is parsed.
 */
export function parseHeaders(msg: Msg, maxBytes = Infinity): ParsedHeaders | undefined {
  const raw = rawHeaders(msg, (block) => agrees(block, msg));
  if (raw !== undefined) {
    return raw.length === 0 ? undefined : parseHeaderBlock(raw.data, raw.length, maxBytes);
  }
  const parsed = parsePublic(msg);
  // nats.js has parsed the block already; the bound still holds for what it kept.
  if (parsed !== undefined) checkHeaderBlockSize(headerBlockSize(parsed), maxBytes);
  return parsed;
}

function parseRaw(raw: RawHeaders): ParsedHeaders {
  return parseHeaderBlock(raw.data, raw.length);
}

/** The headers through nats.js's public API (its block size is not checked: already parsed). */
export function parsePublic(msg: Msg): ParsedHeaders | undefined {
  const h = msg.headers;
  if (h === undefined) return undefined;
  const entries: string[] = [];
  for (const [k, values] of h) for (const v of values) entries.push(k, v);
  return { status: h.code, entries };
}

/** Whether the raw parse of `block` says what nats.js says of `msg` (a block nats.js rejects: no). */
function agrees(block: RawHeaders, msg: Msg): boolean {
  try {
    return sameHeaders(parseRaw(block), parsePublic(msg));
  } catch {
    return false;
  }
}

function sameHeaders(a: ParsedHeaders, b: ParsedHeaders | undefined): boolean {
  if (b === undefined || a.status !== b.status || a.entries.length !== b.entries.length) {
    return false;
  }
  // nats.js groups a repeated name; the raw parse keeps wire order. Compare as multisets.
  const key = (e: readonly string[]) => {
    const pairs: string[] = [];
    for (let i = 0; i < e.length; i += 2) pairs.push(`${e[i]}\n${e[i + 1]}`);
    return pairs.sort().join("\n");
  };
  return key(a.entries) === key(b.entries);
}
