import { checkHeader } from "../call/header-rules.js";
import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import { utf8Bytes, utf8Prefix } from "../platform/bytes.js";

/**
 * The header block of a frame, as bytes: a version line (`NATS/1.0`, the
 * NATS message header format, which every transport speaks so that the bytes
 * are the same everywhere), `Name: value` lines, an empty line. Built as one
 * string (names and values checked once, where they come from) and parsed
 * with a plain split: cheaper than a map with a validating regex per entry.
 */

/** The first line of every header block; a status (`NATS/1.0 503`) may follow it. */
const versionLine = "NATS/1.0";

/** One `Name: value\r\n` line; throws `TypeError` for a name or value no transport can carry. */
export function headerLine(name: string, value: string): string {
  checkHeader(name, value);
  return `${name}: ${value}\r\n`;
}

/** The last block built, reused while the lines repeat. */
let lastLines = "";
let lastBytes: Uint8Array = new Uint8Array(0);

/**
 * The bytes of a header block made of `Name: value\r\n` lines. The result
 * may be shared with the next caller that builds the same block: read it,
 * never change it.
 */
export function headerBlockBytes(lines: string): Uint8Array {
  // Calls of one method repeat the same block (method, whole-second deadline):
  // comparing the string costs less than encoding it again.
  if (lines !== lastLines) {
    lastBytes = utf8Bytes(`${versionLine}\r\n${lines}\r\n`);
    lastLines = lines;
  }
  return lastBytes;
}

/** The bytes of a header block with a status and nothing else, e.g. 503 ("no responders"). */
export function statusBlockBytes(status: number): Uint8Array {
  return utf8Bytes(`${versionLine} ${status}\r\n\r\n`);
}

/** What a received header block says. */
export interface ParsedHeaders {
  /** Status code of the block's first line (503 = no responders), or 0. */
  status: number;
  /** Names and values, in order (a repeated name appears repeatedly). Shared: read only. */
  readonly entries: readonly string[];
}

/** Throws `RpcError` `ResourceExhausted` for a block of `size` bytes over `maxBytes`. */
export function checkHeaderBlockSize(size: number, maxBytes: number): void {
  if (size > maxBytes) {
    throw new RpcError(
      Code.ResourceExhausted,
      `header block of ${size} bytes exceeds the limit of ${maxBytes}`,
    );
  }
}

/**
 * Parses the first `length` bytes of `data` as a header block. A block
 * longer than `maxBytes` is refused with `RpcError` `ResourceExhausted`
 * before it is read; any other bytes parse (lines without a colon are
 * skipped).
 */
export function parseHeaderBlock(
  data: Uint8Array,
  length: number,
  maxBytes = Number.POSITIVE_INFINITY,
): ParsedHeaders {
  checkHeaderBlockSize(length, maxBytes);
  return parseHeaderText(utf8Prefix(data, length));
}

/** The last block parsed, returned again while blocks repeat. */
let lastText = "";
let lastParsed: ParsedHeaders = { status: 0, entries: [] };

function parseHeaderText(text: string): ParsedHeaders {
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

/** UTF-8 size of the block `parsed` came from (version line, `Name: value` lines, CRLFs). */
export function headerBlockSize(parsed: ParsedHeaders): number {
  let size = versionLine.length + 4; // "NATS/1.0\r\n" and the closing "\r\n"
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
