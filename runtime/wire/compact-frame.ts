import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import type { Frame } from "../transport/transport.js";

/**
 * The compact form of the hot stream frames (PROTOCOL.md, "Compact stream
 * frames"): a stream `msg` without headers and a `credit` travel with no
 * header block at all; their payload starts with a preamble instead.
 *
 *   msg:    0x00, varint seq, protobuf body (the rest, possibly empty)
 *   credit: 0x01, varint seq, varint credit (nothing after)
 *   batch:  0x03, then parts (varint length, a compact msg or credit) to the end
 *
 * Building and parsing a header block per message (and nats.js's HPUB) cost
 * more than the rest of a small stream message's trip. The marker bytes
 * 0x00-0x07 can never start a protobuf message (they would be the tag of
 * field 0), so a preamble is never mistaken for a body; still, a receiver
 * reads one only where it expects a stream frame: a message without header
 * block on a bound stream connection. Elsewhere such a message keeps its
 * meaning (a unary `call` or `reply`). 0x02 starts a compact unary call
 * (compact-call.ts), 0x03 a batch; 0x04-0x07 are reserved.
 *
 * A batch carries the compact frames one side sent to one stream within one
 * turn of its event loop, in order, as one NATS message: per message, NATS
 * (publish line, routing, parse) cost more than the stream itself.
 */

/** Preamble marker of a `msg` frame (version 1 of the compact form). */
export const compactMessage = 0x00;
/** Preamble marker of a `credit` frame (version 1 of the compact form). */
export const compactCredit = 0x01;
/** Preamble marker of a unary `call` (compact-call.ts). */
export const compactCall = 0x02;
/** Preamble marker of a batch of compact frames. */
export const compactBatch = 0x03;
/** Bytes below this start a preamble, never a protobuf body. */
const markerEnd = 0x08;

/** Longest varint read: 8 bytes, 56 bits, more than any safe integer needs. */
const maxVarintBytes = 8;

/**
 * The payload of `frame` in compact form, or undefined when it has no compact
 * form (only numbered `msg` frames without headers, trailers or error, and
 * `credit` frames, have one).
 */
export function encodeCompact(frame: Frame, seq: number): Uint8Array | undefined {
  if (frame.headers !== undefined || frame.trailers !== undefined || frame.error !== undefined) {
    return undefined;
  }
  if (frame.type === "message") {
    const body = frame.body;
    const bodyLength = body === undefined ? 0 : body.length;
    const out = take(1 + varintSize(seq) + bodyLength);
    out[0] = compactMessage;
    const at = writeVarint(out, 1, seq);
    if (body !== undefined) out.set(body, at);
    return out;
  }
  if (frame.type === "credit") {
    const credit = frame.credit;
    if (credit === undefined) return undefined;
    const out = take(1 + varintSize(seq) + varintSize(credit));
    out[0] = compactCredit;
    writeVarint(out, writeVarint(out, 1, seq), credit);
    return out;
  }
  return undefined;
}

/** Whether `body` starts with a preamble marker (and so cannot be a protobuf message). */
export function startsWithPreamble(body: Uint8Array | undefined): boolean {
  return body !== undefined && body.length > 0 && (body[0] as number) < markerEnd;
}

/**
 * Turns a frame that came without header block on a stream (decoded as a
 * `call` or `reply`, its payload in `body`) into the `msg` or `credit` its
 * preamble says, in place; the body becomes a view past the preamble.
 * Throws `RpcError` `InvalidArgument` for anything else: no preamble, an
 * unknown marker, a truncated or oversized varint, bytes after a credit.
 */
export function decodeCompact(frame: Frame): void {
  const data = frame.body;
  if (data === undefined || data.length === 0) {
    throw malformed("a stream frame without header block has no preamble");
  }
  const marker = data[0] as number;
  if (marker === compactMessage) {
    const seq = readVarint(data, 1, "compact stream frame: seq");
    frame.type = "message";
    frame.seq = seq;
    frame.body = varintEnd < data.length ? data.subarray(varintEnd) : undefined;
    return;
  }
  if (marker === compactCredit) {
    const seq = readVarint(data, 1, "compact stream frame: seq");
    const credit = readVarint(data, varintEnd, "compact stream frame: credit");
    if (varintEnd !== data.length) throw malformed("a compact credit frame has trailing bytes");
    frame.type = "credit";
    frame.seq = seq;
    frame.credit = credit;
    frame.body = undefined;
    return;
  }
  throw malformed(
    `a stream frame without header block starts with 0x${marker.toString(16).padStart(2, "0")}, not a preamble marker`,
  );
}

/** Whether `body` is a batch of compact frames (see {@link splitCompactBatch}). */
export function isCompactBatch(body: Uint8Array | undefined): body is Uint8Array {
  return startsWithMarker(body, compactBatch);
}

/** Whether `body` starts with the preamble marker `marker`. */
export function startsWithMarker(body: Uint8Array | undefined, marker: number): body is Uint8Array {
  return body !== undefined && body.length > 0 && body[0] === marker;
}

/** Bytes a part adds to a batch besides its own: its length prefix, at most. */
export const batchPartOverhead = 4;

/** One payload carrying `parts` (compact `msg`/`credit` payloads, in order) as a batch. */
export function encodeCompactBatch(parts: readonly Uint8Array[]): Uint8Array {
  let size = 1;
  for (const part of parts) size += varintSize(part.length) + part.length;
  const out = take(size);
  out[0] = compactBatch;
  let at = 1;
  for (const part of parts) {
    at = writeVarint(out, at, part.length);
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * The compact frames of a batch (views into `body`), in order. Throws
 * `RpcError` `InvalidArgument` for a batch without parts, a truncated or
 * oversized length, or a part that is not a compact `msg` or `credit` (a
 * batch never nests); each part is then decoded like any compact frame.
 */
export function splitCompactBatch(body: Uint8Array): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let at = 1;
  while (at < body.length) {
    const length = readVarint(body, at, "batch part length");
    const start = varintEnd;
    if (length > body.length - start) throw malformed("compact batch: a part runs past its end");
    const marker = body[start];
    if (length === 0 || (marker !== compactMessage && marker !== compactCredit)) {
      throw malformed("compact batch: a part is not a compact msg or credit frame");
    }
    parts.push(body.subarray(start, start + length));
    at = start + length;
  }
  if (parts.length === 0) throw malformed("compact batch without frames");
  return parts;
}

/**
 * Payloads are cut from a shared slab: a small typed array of its own costs
 * several times more than a view of a bigger one (measured ~330 ns against
 * ~60 ns). A region is handed out once and never written again, so a
 * transport that holds a payload until its next socket write (nats.js) keeps
 * reading what was encoded; a slab lives as long as any payload in it.
 */
const slabBytes = 64 * 1024;
/** Payloads above this get an array of their own: a slab serves many small ones. */
const slabbedMax = 4 * 1024;
let slab = new Uint8Array(0);
let slabAt = 0;

export function take(size: number): Uint8Array {
  if (size > slabbedMax) return new Uint8Array(size);
  if (slabAt + size > slab.length) {
    slab = new Uint8Array(slabBytes);
    slabAt = 0;
  }
  const out = slab.subarray(slabAt, slabAt + size);
  slabAt += size;
  return out;
}

export function malformed(message: string): RpcError {
  return new RpcError(Code.InvalidArgument, message);
}

/** Where the varint `readVarint` read last ends (a variable, not an object per read). */
export let varintEnd = 0;

/** The value of the varint at `at`; sets `varintEnd`. `what` names it in errors. */
export function readVarint(data: Uint8Array, at: number, what: string): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < maxVarintBytes; i++) {
    if (at + i >= data.length) throw malformed(`${what} is truncated`);
    const byte = data[at + i] as number;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      if (value > Number.MAX_SAFE_INTEGER) {
        throw malformed(`${what} is too large`);
      }
      varintEnd = at + i + 1;
      return value;
    }
    scale *= 128;
  }
  throw malformed(`${what} is longer than ${maxVarintBytes} bytes`);
}

export function varintSize(value: number): number {
  let size = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

/** Writes `value` (a safe non-negative integer) as a varint at `at`; returns where it ends. */
export function writeVarint(out: Uint8Array, at: number, value: number): number {
  while (value >= 128) {
    out[at++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  out[at++] = value;
  return at;
}
