import { type Match, type Msg, type MsgHdrs, MsgHdrsImpl } from "@nats-io/nats-core";
import { checkHeader } from "../../call/header-rules.js";
import { Code } from "../../errors/code.js";
import { RpcError } from "../../errors/rpc-error.js";
import { utf8Bytes, utf8Prefix } from "../../platform/bytes.js";
import { natsInternalsEnabled, type RawHeaders, rawHeaders } from "../nats-internals.js";

/**
 * NATS headers the fast way. nats.js builds and parses headers through a map
 * with a validating regex per name and value, which costs more than the rest
 * of a small call's bookkeeping; protonats writes the header block as one
 * string (names and values checked once, where they come from) and parses
 * received blocks with a plain split.
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

/** The last block built, reused while the lines repeat. */
let lastLines = "";
let lastBytes: Uint8Array = new Uint8Array(0);

/** Builds a header block from `Name: value\r\n` lines. */
export function headerBlock(lines: string): EncodedHeaders | MsgHdrsImpl {
  // Calls of one method repeat the same block (method, whole-second deadline):
  // comparing the string costs less than encoding it again. Sharing the bytes
  // is safe: nats.js copies them into its buffer, and EncodedHeaders changes
  // a decoded copy, never the bytes.
  if (lines !== lastLines) {
    lastBytes = utf8Bytes(`NATS/1.0\r\n${lines}\r\n`);
    lastLines = lines;
  }
  // Without the fast paths, headers nats.js builds itself (its public decoder).
  return natsInternalsEnabled() ? new EncodedHeaders(lastBytes) : MsgHdrsImpl.decode(lastBytes);
}

/** A valid header name: printable ASCII without `:` and spaces. */
/** One `Name: value\r\n` line; throws `TypeError` for a name or value NATS cannot carry. */
export function headerLine(name: string, value: string): string {
  checkHeader(name, value);
  return `${name}: ${value}\r\n`;
}

/** What a received header block says. */
export interface ParsedHeaders {
  /** Status code of the block's first line (503 = no responders), or 0. */
  status: number;
  /** Names and values, in order (a repeated name appears repeatedly). Shared: read only. */
  readonly entries: readonly string[];
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
    if (raw.length === 0) return undefined;
    if (raw.length > maxBytes) {
      throw new RpcError(
        Code.ResourceExhausted,
        `header block of ${raw.length} bytes exceeds the limit of ${maxBytes}`,
      );
    }
    return parseRaw(raw);
  }
  const parsed = parsePublic(msg);
  // nats.js has parsed the block already; the bound still holds for what it kept.
  const size = parsed === undefined ? 0 : blockBytes(parsed);
  if (size > maxBytes) {
    throw new RpcError(
      Code.ResourceExhausted,
      `header block of ${size} bytes exceeds the limit of ${maxBytes}`,
    );
  }
  return parsed;
}

/** UTF-8 size of the block `parsed` came from (`NATS/1.0`, `Name: value` lines, CRLFs). */
function blockBytes(parsed: ParsedHeaders): number {
  let size = 12; // "NATS/1.0\r\n" and the closing "\r\n"
  for (const text of parsed.entries) size += utf8Length(text) + 2; // ": " or "\r\n"
  return size;
}

function utf8Length(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) n += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : 1;
  }
  return n;
}

function parseRaw(raw: RawHeaders): ParsedHeaders {
  return parseBlock(utf8Prefix(raw.data, raw.length));
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

/** The last block parsed, returned again while blocks repeat. */
let lastText = "";
let lastParsed: ParsedHeaders = { status: 0, entries: [] };

function parseBlock(text: string): ParsedHeaders {
  // A client's calls of one method carry the same block: comparing the text
  // costs less than splitting it again.
  if (text === lastText) return lastParsed;
  const lines = text.split("\r\n");
  const first = lines[0] ?? "";
  const status = first.length > 9 ? Number.parseInt(first.slice(9), 10) || 0 : 0;
  const entries: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(":");
    if (colon > 0) entries.push(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  lastText = text;
  lastParsed = { status, entries };
  return lastParsed;
}
