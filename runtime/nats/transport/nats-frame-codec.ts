import type { Msg, MsgHdrs } from "@nats-io/nats-core";
import { defaultMaxHeaderBytes } from "../../call/limits.js";
import { Code, parseCode } from "../../errors/code.js";
import { httpStatusOf } from "../../errors/http-status.js";
import { RpcError } from "../../errors/rpc-error.js";
import { decodeStatus, encodeStatus } from "../../errors/status-codec.js";
import { markUndelivered } from "../../errors/undelivered.js";
import type { Frame, FrameType } from "../../transport/transport.js";
import {
  contentTypeProto,
  FrameName,
  Header,
  reservedPrefix,
} from "../../transport/wire-headers.js";
import { headerBlock, headerLine, parseHeaders } from "./header-block.js";

const empty = new Uint8Array(0);

/** A frame as NATS carries it: optional headers and a body. */
export interface EncodedFrame {
  headers: MsgHdrs | undefined;
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
 * Encodes a frame. A unary `call` or `reply` without metadata goes out with
 * no headers at all: the cheapest NATS message, and exactly what `nats req`
 * sends and expects. `seq` is the stream frame's sequence number, if any.
 * Throws `RpcError` `Internal` for a header NATS cannot carry.
 */
export function encodeFrame(frame: Frame, seq?: number): EncodedFrame {
  let lines = "";
  const type = frame.type;
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
    return { headers: headerBlock(lines), body };
  }
  return { headers: lines === "" ? undefined : headerBlock(lines), body: frame.body ?? empty };
}

function line(name: string, value: string): string {
  try {
    return headerLine(name, value);
  } catch (cause) {
    throw new RpcError(Code.Internal, (cause as Error).message, { cause });
  }
}

/** NATS header values cannot hold line breaks. */
function headerSafe(value: string): string {
  return value.replace(/[\r\n]+/g, " ");
}

/**
 * Decodes a NATS message into a frame. `fromClient` says which direction it
 * travelled, which decides what a message without `Pn-Frame` is (`call` or
 * `reply`). Throws `RpcError` for anything malformed (`InvalidArgument`) or
 * a header block over `maxHeaderBytes` (`ResourceExhausted`), nothing else.
 */
export function decodeFrame(
  msg: Msg,
  fromClient: boolean,
  maxHeaderBytes = defaultMaxHeaderBytes,
): Frame {
  const h = parseHeaders(msg, maxHeaderBytes);
  if (h === undefined) return { type: fromClient ? "call" : "reply", body: msg.data };
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
    const data = msg.data;
    if (status !== undefined && data.length > 0) {
      const decoded = decodeStatus(data);
      details = decoded.details;
    }
    frame.error = new RpcError(code, status !== undefined ? message : (serviceError ?? ""), {
      metadata: userHeaders ?? {},
      details,
    });
    if (trailers !== undefined) frame.trailers = trailers;
    return frame;
  }
  if (userHeaders !== undefined) frame.headers = userHeaders;
  if (trailers !== undefined) frame.trailers = trailers;
  // nats.js makes a new view of the body on every read of `msg.data`: read it once.
  const data = msg.data;
  if (data.length > 0) frame.body = data;
  return frame;
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
