/**
 * Text and base64 bytes on every platform. Node's `Buffer` is used where there
 * is one (Node, Bun): for small strings it is cheaper than TextEncoder and
 * TextDecoder. Browsers and Deno take the standard APIs.
 */
import { base64Decode, base64Encode } from "@bufbuild/protobuf/wire";

const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The UTF-8 bytes of a string. */
export const utf8Bytes: (text: string) => Uint8Array =
  NodeBuffer === undefined ? (text) => encoder.encode(text) : (text) => NodeBuffer.from(text);

/** The first `length` bytes of `data` read as UTF-8. */
export function utf8Prefix(data: Uint8Array, length: number): string {
  return NodeBuffer !== undefined && data instanceof NodeBuffer
    ? data.toString("utf8", 0, length)
    : decoder.decode(data.subarray(0, length));
}

/** Whether `data` holds the bytes of `expected` from `at` on (the caller checks lengths). */
export function sameBytesAt(expected: Uint8Array, data: Uint8Array, at: number): boolean {
  for (let i = 0; i < expected.length; i++) if (expected[i] !== data[at + i]) return false;
  return true;
}

/** Standard base64 of some bytes. */
export function toBase64(bytes: Uint8Array): string {
  return base64Encode(bytes);
}

/** The bytes of a base64 (standard or URL-safe) string; skips characters outside the alphabet. */
export function fromBase64(text: string): Uint8Array {
  return base64Decode(text);
}
