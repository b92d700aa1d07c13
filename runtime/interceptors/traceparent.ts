/** The W3C Trace Context of a call (https://www.w3.org/TR/trace-context/). */
export interface TraceContext {
  /** 32 lowercase hex digits, not all zero. */
  readonly traceId: string;
  /** 16 lowercase hex digits, not all zero: the span (hop) that sent the call. */
  readonly spanId: string;
  /** Trace flags; bit 0 is "sampled". */
  readonly flags: number;
  /** The `tracestate` header, passed on unchanged. */
  readonly traceState?: string;
}

/** Header names of W3C Trace Context (NATS headers keep the case they are sent with). */
export const traceparentHeader = "traceparent";
export const tracestateHeader = "tracestate";

const version00 = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const future = /^((?!ff)[0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const zeroTrace = "0".repeat(32);
const zeroSpan = "0".repeat(16);

/**
 * Parses a `traceparent` value; undefined when it is invalid (as the spec
 * says, an invalid one is ignored and a new trace starts). Versions after 00
 * are read by their 00 prefix, as the spec asks.
 */
export function parseTraceparent(value: string | undefined): TraceContext | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  const m = version00.exec(v) ?? (v.startsWith("00-") ? null : future.exec(v));
  if (m === null) return undefined;
  const [traceId, spanId, flags] = m[0].startsWith("00-") ? [m[1], m[2], m[3]] : [m[2], m[3], m[4]];
  if (traceId === undefined || spanId === undefined || flags === undefined) return undefined;
  if (traceId === zeroTrace || spanId === zeroSpan) return undefined;
  return { traceId, spanId, flags: Number.parseInt(flags, 16) };
}

/** The `traceparent` value of a context (version 00). */
export function formatTraceparent(context: TraceContext): string {
  const flags = (context.flags & 0xff).toString(16).padStart(2, "0");
  return `00-${context.traceId}-${context.spanId}-${flags}`;
}

/** A random 16-byte trace id in hex. */
export function randomTraceId(): string {
  return randomHex(16);
}

/** A random 8-byte span id in hex. */
export function randomSpanId(): string {
  return randomHex(8);
}

function randomHex(bytes: number): string {
  const buf = crypto.getRandomValues(new Uint8Array(bytes));
  let out = "";
  for (const b of buf) out += b.toString(16).padStart(2, "0");
  // All zero is invalid; its odds are 2^-64 at worst, but a retry costs nothing.
  return /^0+$/.test(out) ? randomHex(bytes) : out;
}
