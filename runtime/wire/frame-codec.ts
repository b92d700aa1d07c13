import { Code, parseCode } from "../errors/code.js";
import { httpStatusOf } from "../errors/http-status.js";
import { RpcError } from "../errors/rpc-error.js";
import { decodeStatus, encodeStatus } from "../errors/status-codec.js";
import { markUndelivered } from "../errors/undelivered.js";
import type { Frame, FrameType } from "../transport/transport.js";
import { contentTypeProto, FrameName, Header, reservedPrefix } from "../transport/wire-headers.js";
import { encodeCompactCall } from "./compact-call.js";
import { encodeCompact } from "./compact-frame.js";
import { headerLine, type ParsedHeaders } from "./header-block.js";

/**
 * The frame codec every transport shares: a frame is a header block (see
 * header-block.ts and PROTOCOL.md) and a body. Only the transport's own part
 * differs: how it carries the two (NATS message headers and payload; the
 * in-process transport one byte array).
 */

const empty = new Uint8Array(0);

/** A frame ready for the wire: its header lines (`""`: no header block at all) and body. */
export interface EncodedFrame {
  /** `Name: value\r\n` lines; a transport turns them into a block with `headerBlockBytes`. */
  lines: string;
  body: Uint8Array;
}

const frameTypeByName: Record<string, FrameType> = {
  [FrameName.open]: "open",
  [FrameName.message]: "message",
  [FrameName.end]: "end",
  [FrameName.cancel]: "cancel",
  [FrameName.credit]: "credit",
  [FrameName.ping]: "ping",
};

/**
 * Encodes a frame. A unary `reply` without metadata has no header lines at
 * all: on NATS the cheapest message, and exactly what `nats req` expects. A
 * `call` marked `compact` without request headers takes the compact form
 * (no header lines, a preamble before the body: compact-call.ts). `seq` is
 * the stream frame's sequence number, if any; a numbered `message` without
 * headers and a `credit` take the compact form too (compact-frame.ts).
 * Throws `RpcError` `Internal` for a header no transport can carry.
 */
export function encodeFrame(frame: Frame, seq?: number): EncodedFrame {
  let lines = "";
  const type = frame.type;
  if (seq !== undefined && (type === "message" || type === "credit")) {
    const compact = encodeCompact(frame, seq);
    if (compact !== undefined) return { lines, body: compact };
  }
  if (type === "call" && frame.compact === true && frame.method !== undefined) {
    if (!hasKeys(frame.headers)) {
      return { lines, body: encodeCompactCall(frame.method, frame.timeoutMs, frame.body) };
    }
  }
  if (type !== "call" && type !== "reply") lines += `${Header.frame}: ${FrameName[type]}\r\n`;
  if (seq !== undefined) lines += `${Header.seq}: ${seq}\r\n`;
  if (frame.method !== undefined) lines += line(Header.method, frame.method);
  if (frame.timeoutMs !== undefined) {
    lines += `${Header.timeout}: ${Math.max(0, Math.ceil(frame.timeoutMs))}\r\n`;
  }
  if (frame.window !== undefined) lines += `${Header.window}: ${frame.window}\r\n`;
  if (frame.heartbeatMs !== undefined) lines += `${Header.heartbeat}: ${frame.heartbeatMs}\r\n`;
  if (frame.credit !== undefined) lines += `${Header.credit}: ${frame.credit}\r\n`;
  const user = frame.headers;
  if (user !== undefined) for (const k in user) lines += line(k, user[k] as string);
  const trailers = frame.trailers;
  if (trailers !== undefined) {
    for (const k in trailers) lines += line(Header.trailerPrefix + k, trailers[k] as string);
  }
  const error = frame.error;
  if (error !== undefined) {
    lines += `${Header.status}: ${error.code}\r\n`;
    lines += `${Header.message}: ${encodeURIComponent(error.rawMessage)}\r\n`;
    lines += `${Header.serviceError}: ${headerSafe(error.rawMessage || "error")}\r\n`;
    lines += `${Header.serviceErrorCode}: ${httpStatusOf(error.code)}\r\n`;
    for (const k in error.metadata) lines += line(k, error.metadata[k] as string);
    const body = error.details.length > 0 ? encodeStatus(error) : empty;
    return { lines, body };
  }
  return { lines, body: frame.body ?? empty };
}

function line(name: string, value: string): string {
  try {
    return headerLine(name, value);
  } catch (cause) {
    throw new RpcError(Code.Internal, (cause as Error).message, { cause });
  }
}

function hasKeys(record: Record<string, string> | undefined): boolean {
  if (record !== undefined) for (const _ in record) return true;
  return false;
}

/** Header values cannot hold line breaks. */
function headerSafe(value: string): string {
  return value.replace(/[\r\n]+/g, " ");
}

/**
 * Decodes a frame from its parsed header block (undefined: none) and body.
 * `fromClient` says which direction it travelled, which decides what a frame
 * without `Pn-Frame` is (`call` or `reply`; on a stream, the connection
 * reads a header-less one as a compact frame: compact-frame.ts). Throws `RpcError`
 * `InvalidArgument` for anything malformed, nothing else. The frame keeps
 * `body` (no copy).
 */
export function decodeFrame(
  h: ParsedHeaders | undefined,
  body: Uint8Array,
  fromClient: boolean,
): Frame {
  if (h === undefined) return { type: fromClient ? "call" : "reply", body };
  if (h.status === 503) {
    // The NATS server's "no responders" status: nobody listens on the address.
    return {
      type: "cancel",
      error: markUndelivered(new RpcError(Code.Unavailable, "no responders: the node is gone")),
    };
  }
  let type: FrameType = fromClient ? "call" : "reply";
  const frame: Frame = { type };
  let userHeaders: Record<string, string> | undefined;
  let trailers: Record<string, string> | undefined;
  let status: Code | undefined;
  let message = "";
  let serviceError: string | undefined;
  const entries = h.entries;
  for (let i = 0; i < entries.length; i += 2) {
    const key = entries[i] as string;
    const value = entries[i + 1] as string;
    if (key.startsWith(reservedPrefix)) {
      switch (key) {
        case Header.frame: {
          const t = frameTypeByName[value];
          if (t === undefined)
            throw new RpcError(Code.InvalidArgument, `unknown frame type "${value}"`);
          type = t;
          break;
        }
        case Header.method:
          frame.method = value;
          break;
        case Header.timeout:
          frame.timeoutMs = parseCount(key, value);
          break;
        case Header.window:
          frame.window = parseCount(key, value);
          break;
        case Header.heartbeat:
          frame.heartbeatMs = parseCount(key, value);
          break;
        case Header.credit:
          frame.credit = parseCount(key, value);
          break;
        case Header.seq:
          frame.seq = parseCount(key, value);
          break;
        case Header.status:
          status = parseCode(value);
          break;
        case Header.message:
          message = safeDecodeURIComponent(value);
          break;
        case Header.contentType:
          if (value !== contentTypeProto) {
            throw new RpcError(
              Code.InvalidArgument,
              `unsupported content type "${value}": protonats bodies are ${contentTypeProto}`,
            );
          }
          break;
        default:
          if (key.startsWith(Header.trailerPrefix)) {
            trailers ??= {};
            trailers[key.slice(Header.trailerPrefix.length)] = value;
          }
        // Other reserved names come from newer peers: ignored, as protobuf ignores unknown fields.
      }
    } else if (key === Header.serviceError) {
      serviceError = value;
    } else if (key !== Header.serviceErrorCode) {
      userHeaders ??= {};
      userHeaders[key] = value;
    }
  }
  frame.type = type;
  if (status !== undefined || serviceError !== undefined) {
    // A peer that speaks only the NATS micro protocol reports errors without Pn-Status.
    const code = status ?? Code.Unknown;
    let details: RpcError["details"] = [];
    if (status !== undefined && body.length > 0) details = decodeStatus(body).details;
    frame.error = new RpcError(code, status !== undefined ? message : (serviceError ?? ""), {
      metadata: userHeaders ?? {},
      details,
    });
    if (trailers !== undefined) frame.trailers = trailers;
    return frame;
  }
  if (userHeaders !== undefined) frame.headers = userHeaders;
  if (trailers !== undefined) frame.trailers = trailers;
  if (body.length > 0) frame.body = body;
  return frame;
}

/**
 * Whether a malformed frame from a client is answered with `cancel` (it
 * names a stream frame type, or its header block was too big to read, and
 * `cancel` ends a unary call as well as a stream) rather than a `reply`.
 */
export function answeredWithCancel(error: RpcError, h: ParsedHeaders | undefined): boolean {
  if (error.code === Code.ResourceExhausted) return true;
  if (h === undefined) return false;
  const entries = h.entries;
  for (let i = 0; i < entries.length; i += 2) if (entries[i] === Header.frame) return true;
  return false;
}

/** The frame a client's receiver gets for a reply that does not decode. */
export function malformedReply(cause: unknown): Frame {
  const text = cause instanceof RpcError ? cause.rawMessage : "undecodable frame";
  return {
    type: "cancel",
    error: new RpcError(Code.Internal, `malformed reply: ${text}`, { cause }),
  };
}

function parseCount(key: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || value === "") {
    throw new RpcError(Code.InvalidArgument, `malformed ${key} header "${value}"`);
  }
  return n;
}

function safeDecodeURIComponent(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
