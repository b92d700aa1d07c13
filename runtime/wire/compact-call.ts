import { sameBytesAt, utf8Bytes } from "../platform/bytes.js";
import type { ServiceNode } from "../registry/registry.js";
import type { Frame } from "../transport/transport.js";
import {
  compactCall,
  malformed,
  readVarint,
  startsWithMarker,
  take,
  varintEnd,
  varintSize,
  writeVarint,
} from "./compact-frame.js";

/**
 * The compact form of a unary `call` (PROTOCOL.md, "Compact unary calls"):
 * no header block, a preamble before the request body instead.
 *
 *   call: 0x02, varint (timeout ms + 1, or 0 for no deadline),
 *         varint method length, method path (UTF-8), protobuf body (the rest)
 *
 * A header block per call cost both sides more than the rest of their own
 * work on a small call, and its deadline (which changes every call) defeats
 * any cache of parsed blocks. A client sends this form only to a server whose
 * node record says it reads it (`compactCallsKey`); a call with request
 * headers keeps the header form.
 */

/** Node metadata a server announces when it reads compact calls (value `"1"`). */
export const compactCallsKey = "pn-compact-calls";

/** Whether `node` announced that it reads compact calls. */
export function readsCompactCalls(node: ServiceNode): boolean {
  return node.metadata[compactCallsKey] === "1";
}

/** Longest method path a compact call may carry (bytes). */
export const maxCompactMethodBytes = 1024;

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Bounded caches of method paths in their wire form, both ways (methods are few per process). */
const maxCachedMethods = 1024;
/** Longer paths are decoded every call rather than kept. */
const maxCachedMethodBytes = 256;
const encodedMethods = new Map<string, Uint8Array>();
const decodedMethods = new Map<number, { bytes: Uint8Array; path: string }>();

/** The payload of a compact `call` of `method` with `timeoutMs` (undefined: no deadline). */
export function encodeCompactCall(
  method: string,
  timeoutMs: number | undefined,
  body: Uint8Array | undefined,
): Uint8Array {
  const name = methodBytes(method);
  const timeout = timeoutMs === undefined ? 0 : Math.max(0, Math.ceil(timeoutMs)) + 1;
  const bodyLength = body === undefined ? 0 : body.length;
  const out = take(1 + varintSize(timeout) + name.length + bodyLength);
  out[0] = compactCall;
  const at = writeVarint(out, 1, timeout);
  out.set(name, at);
  if (body !== undefined) out.set(body, at + name.length);
  return out;
}

/** Whether `frame` (a `call` without method, as decoded from a message without header block) is compact. */
export function isCompactCall(frame: Frame): boolean {
  return startsWithMarker(frame.body, compactCall);
}

/**
 * Turns a `call` that came without header block and starts with the compact
 * call marker into the call its preamble says, in place: method, timeout,
 * and the body as a view past the preamble. Throws `RpcError`
 * `InvalidArgument` for a truncated or oversized varint, a method path that
 * is empty, longer than `maxCompactMethodBytes`, past the payload's end or
 * not UTF-8.
 */
export function decodeCompactCall(frame: Frame): void {
  const data = frame.body as Uint8Array;
  const timeout = readVarint(data, 1, "compact call: timeout");
  const length = readVarint(data, varintEnd, "compact call: method length");
  const start = varintEnd;
  if (length === 0) throw malformed("compact call: the method path is empty");
  if (length > maxCompactMethodBytes) {
    throw malformed(`compact call: the method path is longer than ${maxCompactMethodBytes} bytes`);
  }
  const end = start + length;
  if (end > data.length) throw malformed("compact call: the method path is truncated");
  frame.method = methodPath(data, start, end);
  if (timeout > 0) frame.timeoutMs = timeout - 1;
  frame.body = end < data.length ? data.subarray(end) : undefined;
}

/** `method` as varint length and UTF-8 bytes, from the cache when it is there. */
function methodBytes(method: string): Uint8Array {
  const cached = encodedMethods.get(method);
  if (cached !== undefined) return cached;
  const text = utf8Bytes(method);
  const out = new Uint8Array(varintSize(text.length) + text.length);
  out.set(text, writeVarint(out, 0, text.length));
  if (encodedMethods.size < maxCachedMethods) encodedMethods.set(method, out);
  return out;
}

/**
 * The method path in `data[start, end)`. A process serves few methods, so the
 * bytes are looked up by hash and compared instead of decoded every call.
 * The cache is bounded (at most 1,024 names of at most 256 bytes).
 */
function methodPath(data: Uint8Array, start: number, end: number): string {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ (data[i] as number), 0x01000193);
  const cached = decodedMethods.get(hash);
  if (
    cached !== undefined &&
    cached.bytes.length === end - start &&
    sameBytesAt(cached.bytes, data, start)
  ) {
    return cached.path;
  }
  let path: string;
  try {
    path = strictUtf8.decode(data.subarray(start, end));
  } catch {
    throw malformed("compact call: the method path is not UTF-8");
  }
  if (cached === undefined && end - start <= maxCachedMethodBytes) {
    // Full of names nobody serves (a peer making them up): start over, so the
    // real ones come back at their next call.
    if (decodedMethods.size >= maxCachedMethods) decodedMethods.clear();
    decodedMethods.set(hash, { bytes: data.slice(start, end), path });
  }
  return path;
}
