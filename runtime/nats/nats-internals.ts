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
 * What each internal buys, measured with `bench/tools/load.ts` against
 * `bench/servers/greeter-server.ts` (both processes with the path off, 64
 * unary calls in flight of 100 B; server streams of 10,000 messages of 100 B;
 * medians of alternating runs on a shared 2-core machine):
 * - `msg._msg.hdr` + `msg._rdata` (raw header block): nats.js parses headers
 *   into a map with a regex per name and value; protonats splits the block
 *   itself and skips the split when the block repeats. Unary ~64.6k -> ~59.2k
 *   calls/s without it (-8%); streams unchanged.
 *   Self-check: a message's parse equals the one of `msg.headers`. The first
 *   match confirms the path for good; a mismatch before that sends only that
 *   message through `msg.headers`, so a peer's malformed block cannot turn
 *   the path off for everyone. After `maxUnconfirmed` mismatches without a
 *   match the internal is taken as broken and the path is off for good.
 * - `nc.protocol.transport.socket` (Node socket): corked to the end of the
 *   event-loop turn, so a stream's frames leave in one write, not one each.
 *   Streams ~102k -> ~64k msgs/s without it (-37%); unary unchanged.
 *   Self-check: the socket has `cork`/`uncork` functions.
 * - `nc.protocol.flushPending`/`outbound`/`pendingLimit` (nats.js's write
 *   buffer): held with the socket's cork, so the turn's publishes leave in
 *   one socket write instead of one `socket.write` (a promise, a write
 *   request) each. Streams of 100 B ~5.1 -> ~4.2 µs server CPU per message,
 *   bidi echo ~0.12x -> ~0.19x of raw publish→subscribe. Self-check: the
 *   three have the expected types; a buffer over `pendingLimit` flushes at
 *   once as unheld. A caller publishing on the same connection must not
 *   change a payload before the turn ends (nats.js never promised a copy).
 *   Compact stream batches (compact-batcher.ts) are sent only while held.
 * - `EncodedHeaders` (header-block.ts; no private field, but it relies on
 *   nats.js sending headers through `encode()`; it is a complete `MsgHdrs`,
 *   so it stays correct if nats.js stops doing so): one prebuilt block per
 *   frame instead of a `MsgHdrsImpl` that nats.js validates and encodes.
 *   Streams ~102k -> ~82k msgs/s without it.
 * - `nc.options.inboxPrefix`: not for speed; nats.js has no public getter for
 *   the prefix, and replies must be subscribed under a custom
 *   `connect({ inboxPrefix })`. `natsRuntime(nc, { inboxPrefix })` takes
 *   precedence and needs no internal. Self-check: `nc.options` is an object
 *   whose `inboxPrefix` is a non-empty string; otherwise `_INBOX`.
 * - Dropped: `msg._msg.subject` (reading the call id from the raw subject
 *   bytes) measured no difference (70.2k vs 71.2k calls/s, 8.1 vs 8.3 µs CPU
 *   per call), so reply subjects are read through `msg.subject`.
 *
 * All internals off together: unary ~64k -> ~52k calls/s (client CPU 8.6 ->
 * 11.7 µs per call), streams ~100k -> ~53k msgs/s.
 */

/** A fast path's state: not yet checked on a real object, confirmed, or refused for good. */
type Check = "unchecked" | "ok" | "failed";

/**
 * Header blocks whose raw parse may disagree with `msg.headers` before the
 * raw path is given up: enough that hostile blocks arriving first cannot turn
 * it off, few enough that a nats.js that changed costs little double parsing.
 */
const maxUnconfirmed = 1_000;

let enabled = envVar("PROTONATS_NATS_INTERNALS") !== "off";
let headersCheck: Check = "unchecked";
let headerMismatches = 0;

/**
 * Turns the nats.js fast paths on or off (on by default, off with
 * `PROTONATS_NATS_INTERNALS=off`). Turning them on clears earlier self-check
 * failures, so the next message checks again.
 */
export function setNatsInternals(on: boolean): void {
  enabled = on;
  if (on) {
    headersCheck = "unchecked";
    headerMismatches = 0;
  }
}

/** Whether the fast paths are allowed (each still has its own self-check). */
export function natsInternalsEnabled(): boolean {
  return enabled;
}

/** Fields of nats.js's message class that hold the raw bytes. */
interface RawMsg {
  _msg?: { hdr?: unknown };
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
 * Until a message confirms the path, `verify` runs on each message with
 * headers and must say whether parsing `raw` gives what the public
 * `msg.headers` gives; when it does not, this returns undefined for that
 * message (and for good after `maxUnconfirmed` such messages).
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
    if (verify(block)) {
      headersCheck = "ok";
    } else {
      if (++headerMismatches >= maxUnconfirmed) headersCheck = "failed";
      return undefined;
    }
  }
  return block;
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

/** What of nats.js's protocol handler a held flush uses. */
interface FlushingProtocol {
  flushPending(): void;
  outbound: { size(): number };
  pendingLimit: number;
}

/** A connection's outbound buffer, whose socket writes can be held to one per turn. */
export interface HeldFlush {
  /** Until `release`, publishes gather in nats.js's buffer instead of a socket write each. */
  hold(): void;
  /** Ends one `hold`; the last writes what gathered (one socket write) and lets later publishes flush as usual. */
  release(): void;
}

/** Protocol handlers already wrapped, with their hold state. */
const heldFlushes = new WeakMap<object, HeldFlush>();

/**
 * nats.js writes its buffer to the socket in a microtask after the first
 * publish that finds it empty: a stream whose messages leave a few promise
 * hops apart pays one `socket.write` (a promise, a write request, an iovec)
 * per message. Held, the buffer gathers a whole turn's frames and leaves in
 * one write. A buffer over nats.js's own limit (`pendingLimit`) still
 * flushes at once, as unheld. Undefined when the fast path is off or the
 * protocol handler lacks `flushPending`/`outbound.size`/`pendingLimit`.
 */
export function heldFlushOf(nc: NatsConnection): HeldFlush | undefined {
  if (!enabled) return undefined;
  const protocol = (nc as unknown as { protocol?: Partial<FlushingProtocol> }).protocol;
  if (
    typeof protocol?.flushPending !== "function" ||
    typeof protocol.outbound?.size !== "function" ||
    typeof protocol.pendingLimit !== "number"
  ) {
    return undefined;
  }
  const known = heldFlushes.get(protocol);
  if (known !== undefined) return known;
  const p = protocol as FlushingProtocol;
  const flush = p.flushPending;
  // Holders in this turn (a transport and a broker may share the connection).
  let holders = 0;
  // An own property over the prototype's method: every flush nats.js starts passes here.
  p.flushPending = function (this: FlushingProtocol) {
    if (holders > 0 && this.outbound.size() < this.pendingLimit) return;
    flush.call(this);
  };
  const state: HeldFlush = {
    hold() {
      holders++;
    },
    release() {
      if (holders > 0 && --holders === 0) p.flushPending();
    },
  };
  heldFlushes.set(protocol, state);
  return state;
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
