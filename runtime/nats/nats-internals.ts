import type { Msg, NatsConnection } from "@nats-io/nats-core";
import { envVar } from "../platform/env.js";

/**
 * The only place protonats reads nats.js private fields. Users bring their
 * own `NatsConnection`, so the nats.js version is theirs, not ours: every
 * fast path here checks itself on the first real connection or message it
 * meets and falls back to the public API for good when the internal does not
 * behave as expected. `setNatsInternals(false)` (or the environment variable
 * `PROTONATS_NATS_INTERNALS=off`) forces every fallback; tests run both.
 *
 * What each internal buys (nats.js 3.3, `npx tsx bench/run.ts`):
 * - `msg._msg.hdr` + `msg._rdata` (raw header block): nats.js parses headers
 *   into a map with a regex per name and value; protonats splits the block
 *   itself and skips the parse when the block repeats.
 *   Self-check: the first message's parse equals the one of `msg.headers`.
 * - `msg._msg.subject` (raw subject bytes): the call id is read from bytes,
 *   saving a TextDecoder call per reply.
 *   Self-check: the first message's raw bytes decode to `msg.subject`.
 * - `nc.protocol.transport.socket` (Node socket): corked to the end of the
 *   event-loop turn, so a stream's frames leave in one write, not one each.
 *   Self-check: the socket has `cork`/`uncork` functions.
 * - `nc.options.inboxPrefix`: nats.js has no public getter for it; needed so
 *   reply subscriptions match a custom `connect({ inboxPrefix })`.
 *   `natsRuntime(nc, { inboxPrefix })` takes precedence and needs no internal.
 *   Self-check: `nc.options` is an object whose `inboxPrefix` is absent or a string.
 */

/** A fast path's state: not yet checked on a real object, confirmed, or refused for good. */
type Check = "unchecked" | "ok" | "failed";

let enabled = envVar("PROTONATS_NATS_INTERNALS") !== "off";
let headersCheck: Check = "unchecked";
let subjectCheck: Check = "unchecked";

/**
 * Turns the nats.js fast paths on or off (on by default, off with
 * `PROTONATS_NATS_INTERNALS=off`). Turning them on clears earlier self-check
 * failures, so the next message checks again.
 */
export function setNatsInternals(on: boolean): void {
  enabled = on;
  if (on) {
    headersCheck = "unchecked";
    subjectCheck = "unchecked";
  }
}

/** Whether the fast paths are allowed (each still has its own self-check). */
export function natsInternalsEnabled(): boolean {
  return enabled;
}

/** Fields of nats.js's message class that hold the raw bytes. */
interface RawMsg {
  _msg?: { hdr?: unknown; subject?: unknown };
  _rdata?: unknown;
}

/** A received message's raw header block: its bytes and their length (0: no headers). */
export interface RawHeaders {
  readonly data: Uint8Array;
  readonly length: number;
}

/**
 * The raw header block of a received message, or undefined when the fast
 * path is off or the message does not expose it (use `msg.headers` then).
 * `verify` runs once, on the first message with headers, and must say
 * whether parsing `raw` gives what the public `msg.headers` gives; when it
 * does not, this returns undefined from then on.
 */
export function rawHeaders(msg: Msg, verify: (raw: RawHeaders) => boolean): RawHeaders | undefined {
  if (!enabled || headersCheck === "failed") return undefined;
  const raw = msg as unknown as RawMsg;
  const hdr = raw._msg?.hdr;
  const data = raw._rdata;
  if (typeof hdr !== "number" || !(data instanceof Uint8Array) || hdr > data.length) {
    headersCheck = "failed";
    return undefined;
  }
  const block = { data, length: Math.max(hdr, 0) };
  if (headersCheck === "unchecked" && block.length > 0) {
    headersCheck = verify(block) ? "ok" : "failed";
    if (headersCheck === "failed") return undefined;
  }
  return block;
}

const decoder = new TextDecoder();

/**
 * The raw subject bytes of a received message, or undefined when the fast
 * path is off or they do not decode to `msg.subject` (checked on the first
 * message).
 */
export function rawSubject(msg: Msg): Uint8Array | undefined {
  if (!enabled || subjectCheck === "failed") return undefined;
  const bytes = (msg as unknown as RawMsg)._msg?.subject;
  if (!(bytes instanceof Uint8Array)) {
    subjectCheck = "failed";
    return undefined;
  }
  if (subjectCheck === "unchecked") {
    subjectCheck = decoder.decode(bytes) === msg.subject ? "ok" : "failed";
    if (subjectCheck === "failed") return undefined;
  }
  return bytes;
}

/** What a Node socket offers to batch writes. */
export interface Corkable {
  cork(): void;
  uncork(): void;
  destroyed: boolean;
}

/**
 * The Node socket under a nats.js connection, or undefined when the fast path
 * is off or there is none with `cork`/`uncork` (then writes go as nats.js
 * flushes them). Looked up on every call: a reconnect replaces the socket.
 */
export function socketOf(nc: NatsConnection): Corkable | undefined {
  if (!enabled) return undefined;
  const socket = (nc as unknown as { protocol?: { transport?: { socket?: unknown } } }).protocol
    ?.transport?.socket as Partial<Corkable> | undefined;
  return typeof socket?.cork === "function" && typeof socket.uncork === "function"
    ? (socket as Corkable)
    : undefined;
}

/**
 * The inbox prefix the connection was opened with: `explicit` when given
 * (the `inboxPrefix` option of `natsRuntime`), else `nc.options.inboxPrefix`
 * when the fast path is on and the field looks like nats.js's options, else
 * nats.js's default `_INBOX`.
 */
export function inboxPrefixOf(nc: NatsConnection, explicit?: string): string {
  if (explicit !== undefined && explicit !== "") return explicit;
  if (!enabled) return "_INBOX";
  const options = (nc as unknown as { options?: unknown }).options;
  if (typeof options !== "object" || options === null) return "_INBOX";
  const prefix = (options as { inboxPrefix?: unknown }).inboxPrefix;
  return typeof prefix === "string" && prefix !== "" ? prefix : "_INBOX";
}
