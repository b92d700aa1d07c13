import type { Msg } from "@nats-io/nats-core";
import { defaultMaxHeaderBytes } from "../../call/limits.js";
import { Code } from "../../errors/code.js";
import { RpcError } from "../../errors/rpc-error.js";
import type { Frame } from "../../transport/transport.js";
import { answeredWithCancel, decodeFrame, malformedReply } from "../../wire/frame-codec.js";
import type { ParsedHeaders } from "../../wire/header-block.js";
import type { ServerConnections } from "../../wire/server-connections.js";
import { parseHeaders, parsePublic } from "./header-block.js";

/**
 * Frames from nats.js messages: the message's headers are the frame's header
 * block, its payload the body (runtime/wire/frame-codec.ts decodes them).
 * Encoding needs nothing of its own: `headerBlock` puts the encoded lines on
 * a message.
 */

/**
 * Decodes a NATS message into a frame. Throws `RpcError` for anything
 * malformed (`InvalidArgument`) or a header block over `maxHeaderBytes`
 * (`ResourceExhausted`), nothing else.
 */
export function decodeNatsFrame(
  msg: Msg,
  fromClient: boolean,
  maxHeaderBytes = defaultMaxHeaderBytes,
): Frame {
  // nats.js makes a new view of the body on every read of `msg.data`: read it once.
  return decodeFrame(parseHeaders(msg, maxHeaderBytes), msg.data, fromClient);
}

/** Decodes a server's answer; one that does not decode ends the call `Internal`. */
export function decodeNatsReply(msg: Msg): Frame {
  try {
    return decodeFrame(parseHeaders(msg), msg.data, false);
  } catch (cause) {
    return malformedReply(cause);
  }
}

/** Answers a client's frame that did not decode, in kind (`cancel` for a stream frame). */
export function refuseMalformed(
  connections: ServerConnections,
  msg: Msg,
  peer: string,
  cause: unknown,
  method: string | undefined,
): void {
  const error = RpcError.from(cause, Code.InvalidArgument);
  // An oversized header block is not parsed to learn the frame type.
  let parsed: ParsedHeaders | undefined;
  if (error.code !== Code.ResourceExhausted) parsed = parsePublic(msg);
  connections.malformed(peer, error, answeredWithCancel(error, parsed), method);
}
