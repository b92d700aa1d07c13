import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import type { Acceptor, Frame, FrameReceiver, ServerSocket } from "../transport/transport.js";
import { decodeCompactCall, isCompactCall } from "./compact-call.js";
import {
  decodeCompact,
  isCompactBatch,
  splitCompactBatch,
  startsWithPreamble,
} from "./compact-frame.js";
import { FrameSequence } from "./frame-sequence.js";

/** How a transport puts a server's frame on the wire. */
export interface ServerOutlet {
  /**
   * Encodes `frame` (with stream sequence number `seq`, if any) and sends it
   * to the client's reply address `peer`. Throws `RpcError` like
   * `ServerSocket.send`.
   */
  sendTo(peer: string, frame: Frame, seq: number | undefined): void;
}

/**
 * The server side of pseudo connections, the same for every transport: a
 * connection is the client's reply address (`<inbox>.<callId>`). The first
 * frame (`call`, `open`) goes to the acceptor with a new socket; the later
 * frames of a stream go to the receiver the socket was bound to; a frame for
 * a connection that is unknown (finished, reaped, never opened) is answered
 * `cancel`, so that the client stops waiting.
 */
export class ServerConnections {
  /** Streams in progress, by the client's reply address. */
  readonly streams = new Map<string, PeerSocket>();

  constructor(
    readonly outlet: ServerOutlet,
    private readonly acceptor: Acceptor,
  ) {}

  /**
   * A decoded frame from `peer`. `service`: the service whose address it
   * came to (undefined: the node address); a call there may only name that
   * service's methods, or a user allowed to call S could reach every other
   * service of the instance through S's address. `method`: the method the
   * subject it came on stands for (NATS micro endpoints), which overrides the
   * frame's.
   */
  arrive(frame: Frame, peer: string, service?: string, method?: string): void {
    const type = frame.type;
    if (type === "call") {
      // A message without header block on a stream's connection is one of
      // its compact frames (each call has a reply address of its own, so no
      // unary call shares a stream's).
      const stream = this.streams.get(peer);
      if (stream !== undefined) {
        stream.deliverCompact(frame);
        return;
      }
      // No method from a header or the subject, and a body no protobuf can
      // start with: a compact call, or a compact frame of a stream the
      // server no longer knows.
      if (method === undefined && frame.method === undefined && startsWithPreamble(frame.body)) {
        if (!isCompactCall(frame)) {
          unknownStream(this, peer);
          return;
        }
        const error = readCompactCall(frame);
        if (error !== undefined) {
          this.malformed(peer, error, false);
          return;
        }
      }
    }
    if (type === "call" || type === "open") {
      if (method !== undefined) frame.method = method;
      if (!servedAt(service, frame.method)) {
        const error = new RpcError(
          Code.PermissionDenied,
          `method ${frame.method} is not served at the address of ${service}`,
        );
        new PeerSocket(this, peer, false).trySend(
          type === "call" ? { type: "reply", error } : { type: "cancel", error },
        );
        return;
      }
      this.acceptor.accept(frame, new PeerSocket(this, peer, type === "open"));
      return;
    }
    const stream = this.streams.get(peer);
    if (stream !== undefined) {
      stream.deliver(frame);
    } else if (type !== "cancel") {
      unknownStream(this, peer);
    }
  }

  /** A decoded frame without reply address (fire and forget): run a call, answer nobody. */
  arriveOneWay(frame: Frame, service?: string, method?: string): void {
    if (frame.type !== "call") return;
    if (method === undefined && frame.method === undefined && isCompactCall(frame)) {
      const error = readCompactCall(frame);
      if (error !== undefined) {
        this.acceptor.refused?.(undefined, error);
        return;
      }
    }
    if (method !== undefined) frame.method = method;
    if (!servedAt(service, frame.method)) return;
    this.acceptor.accept(frame, discardSocket);
  }

  /**
   * A frame from `peer` that did not decode: answered with `error` (as
   * `cancel` when `cancel`, else as a unary `reply`), and reported to the
   * acceptor. Malformed one-way frames have nobody to tell.
   */
  malformed(peer: string, error: RpcError, cancel: boolean, method?: string): void {
    const stream = cancel ? this.streams.get(peer) : undefined;
    if (stream !== undefined) {
      // A malformed frame of a stream in progress ends the stream on both sides.
      stream.fail(error);
    } else {
      const reply: Frame = cancel ? { type: "cancel", error } : { type: "reply", error };
      new PeerSocket(this, peer, false).trySend(reply);
    }
    this.acceptor.refused?.(method, error);
  }

  /** Each stream pings at once, so that its client learns of frames it missed. */
  reconnected(): void {
    for (const stream of [...this.streams.values()]) stream.trySend({ type: "ping" });
  }

  /** Forgets every stream: their later frames are answered `cancel`. */
  close(): void {
    this.streams.clear();
  }
}

/** Decodes a compact call in place; the `InvalidArgument` error when it does not decode. */
function readCompactCall(frame: Frame): RpcError | undefined {
  try {
    decodeCompactCall(frame);
    return undefined;
  } catch (cause) {
    return RpcError.from(cause, Code.InvalidArgument);
  }
}

/** Answers a stream frame for a connection the server does not know with `cancel`. */
function unknownStream(connections: ServerConnections, peer: string): void {
  new PeerSocket(connections, peer, false).trySend({
    type: "cancel",
    error: new RpcError(Code.Aborted, "stream is unknown to the server (finished or reaped)"),
  });
}

/** Whether `method` belongs to the service whose address a call came to (any, for the node address). */
function servedAt(service: string | undefined, method: string | undefined): boolean {
  return service === undefined || (method?.startsWith(`/${service}/`) ?? false);
}

/** The server end of a one-way call: there is nobody to answer. */
const discardSocket: ServerSocket = {
  send() {},
  bind() {},
  close() {},
};

/** The server end of one call: sends to the client's reply address. */
class PeerSocket implements ServerSocket {
  receiver: FrameReceiver | undefined;
  /** Numbers of stream frames; unary calls have none. */
  private readonly sequence: FrameSequence | undefined;

  constructor(
    private readonly connections: ServerConnections,
    readonly peer: string,
    stream: boolean,
  ) {
    this.sequence = stream ? new FrameSequence() : undefined;
  }

  send(frame: Frame): void {
    const sequence = this.sequence;
    if (sequence === undefined) {
      this.connections.outlet.sendTo(this.peer, frame, undefined);
      return;
    }
    try {
      this.connections.outlet.sendTo(this.peer, frame, sequence.stamp(frame.type));
    } catch (error) {
      sequence.withdraw(frame.type); // It did not leave: the next frame takes its number.
      throw error;
    }
  }

  /** Best effort: used for answers whose failure nobody could act on. */
  trySend(frame: Frame): void {
    try {
      this.send(frame);
    } catch {
      // The connection is gone; the client's deadline or heartbeat will tell it.
    }
  }

  /** The client connection: the reply address without the call's token. */
  get connection(): string {
    const peer = this.peer;
    const dot = peer.lastIndexOf(".");
    return dot > 0 ? peer.slice(0, dot) : peer;
  }

  bind(receiver: FrameReceiver): void {
    this.receiver = receiver;
    this.connections.streams.set(this.peer, this);
  }

  /** Hands a frame from the client to the stream; a gap in its frames ends the stream. */
  deliver(frame: Frame): void {
    const receiver = this.receiver;
    if (receiver === undefined) return;
    const lost = this.sequence?.check(frame);
    if (lost === undefined) receiver.receive(frame);
    else this.fail(lost);
  }

  /**
   * Hands a frame that came without header block to the stream as the
   * compact frame it must be; one that is not ends the stream `InvalidArgument`.
   */
  deliverCompact(frame: Frame): void {
    if (isCompactBatch(frame.body)) {
      this.deliverBatch(frame.body);
      return;
    }
    try {
      decodeCompact(frame);
    } catch (cause) {
      this.fail(RpcError.from(cause, Code.InvalidArgument));
      return;
    }
    this.deliver(frame);
  }

  /** Hands the frames of a compact batch to the stream one by one, until one ends it. */
  private deliverBatch(body: Uint8Array): void {
    let parts: Uint8Array[];
    try {
      parts = splitCompactBatch(body);
    } catch (cause) {
      this.fail(RpcError.from(cause, Code.InvalidArgument));
      return;
    }
    for (const part of parts) {
      if (this.connections.streams.get(this.peer) !== this) return; // Ended by an earlier part.
      this.deliverCompact({ type: "call", body: part });
    }
  }

  /** Ends the stream on both sides with `error`. */
  fail(error: RpcError): void {
    this.close();
    this.trySend({ type: "cancel", error });
    this.receiver?.receive({ type: "cancel", error });
  }

  close(): void {
    if (this.receiver === undefined) return; // Never bound (a unary call answered at once): not listed.
    const streams = this.connections.streams;
    if (streams.get(this.peer) === this) streams.delete(this.peer);
  }
}
