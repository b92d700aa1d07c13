import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import type { ClientSocket, Frame, FrameReceiver } from "../transport/transport.js";
import { decodeCompact, isCompactBatch, splitCompactBatch } from "./compact-frame.js";
import { malformedReply } from "./frame-codec.js";
import { FrameSequence } from "./frame-sequence.js";

/** How a transport puts a client's frame on the wire. */
export interface ClientOutlet {
  /**
   * Encodes `frame` (with stream sequence number `seq`, if any) and sends it
   * to the server address `address`, answers to go to `reply`. Throws
   * `RpcError` like `ClientSocket.send`.
   */
  sendFrom(address: string, reply: string, frame: Frame, seq: number | undefined): void;
}

/**
 * The client side of pseudo connections, the same for every transport: all
 * calls of a process share one reply inbox; each call has its own reply
 * address under it, `<inbox>.<callId>` (base 36), by which its answers are
 * routed back here. No subscription or timer per call.
 */
export class ClientConnections {
  /** Pseudo connections in progress, by call id. */
  readonly sockets = new Map<number, DialedSocket>();
  private nextCallId = 0;

  constructor(readonly outlet: ClientOutlet) {}

  /** Opens a pseudo connection to `address` whose answers come to a reply address under `inbox`. */
  dial(inbox: string, address: string, receiver: FrameReceiver): DialedSocket {
    const id = ++this.nextCallId;
    const socket = new DialedSocket(this, id, address, `${inbox}.${id.toString(36)}`, receiver);
    this.sockets.set(id, socket);
    return socket;
  }

  /** Ends every call in progress with a `cancel` carrying `error`. */
  failAll(error: RpcError): void {
    for (const socket of [...this.sockets.values()]) {
      this.sockets.delete(socket.id);
      socket.receiver.receive({ type: "cancel", error });
    }
  }

  /** Ends the calls to `address` with a `cancel` carrying `error` (e.g. a refused publish). */
  failAddress(address: string, error: RpcError): void {
    for (const socket of [...this.sockets.values()]) {
      if (socket.address !== address) continue;
      this.sockets.delete(socket.id);
      socket.receiver.receive({ type: "cancel", error });
    }
  }

  /** The connection dropped: every call hears of it. */
  disconnected(): void {
    for (const socket of [...this.sockets.values()]) socket.receiver.disconnected?.();
  }

  /** The connection is back: every call hears of it, streams ping at once. */
  reconnected(): void {
    for (const socket of [...this.sockets.values()]) socket.reconnected();
  }
}

/**
 * The call id at the end of a reply address (base 36 from `skip` on), or -1
 * when it is not one.
 */
export function callIdOf(reply: string, skip: number): number {
  if (skip >= reply.length || reply.charCodeAt(skip) === 48) return -1; // Ids have no leading zero.
  let id = 0;
  for (let i = skip; i < reply.length; i++) {
    const digit = base36Digit(reply.charCodeAt(i));
    if (digit < 0) return -1;
    id = id * 36 + digit;
  }
  return id;
}

/** The value of a lowercase base-36 digit's character code, or -1. */
function base36Digit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 122) return c - 87;
  return -1;
}

/** The client end of one call: sends to the server address with its own reply address. */
export class DialedSocket implements ClientSocket {
  /** Numbers of stream frames; unary calls have none. */
  private sequence: FrameSequence | undefined;

  constructor(
    private readonly connections: ClientConnections,
    readonly id: number,
    readonly address: string,
    readonly reply: string,
    readonly receiver: FrameReceiver,
  ) {}

  send(frame: Frame): void {
    if (frame.type === "open") this.sequence = new FrameSequence();
    const sequence = this.sequence;
    if (sequence === undefined) {
      this.connections.outlet.sendFrom(this.address, this.reply, frame, undefined);
      return;
    }
    try {
      this.connections.outlet.sendFrom(this.address, this.reply, frame, sequence.stamp(frame.type));
    } catch (error) {
      sequence.withdraw(frame.type); // It did not leave: the next frame takes its number.
      throw error;
    }
  }

  /**
   * After a reconnect a stream pings at once, so that the server learns of
   * frames it missed without waiting for the next heartbeat; the receiver
   * decides what a unary call does.
   */
  reconnected(): void {
    if (this.sequence !== undefined) {
      try {
        this.send({ type: "ping" });
      } catch {
        // Down again: the next reconnect pings.
      }
    }
    this.receiver.reconnected?.();
  }

  /**
   * Hands a frame from the server to the receiver (a transport finds the
   * socket in `sockets` by the call id of the reply address, and drops late
   * answers for calls that finished); a gap in a stream's frames ends the stream. */
  deliver(frame: Frame): void {
    const sequence = this.sequence;
    if (sequence === undefined) {
      this.receiver.receive(frame);
      return;
    }
    // A message without header block on a stream is one of its compact frames.
    if (frame.type === "reply") {
      if (isCompactBatch(frame.body)) {
        this.deliverBatch(frame.body);
        return;
      }
      try {
        decodeCompact(frame);
      } catch (cause) {
        // The server's frame is bad (InvalidArgument to it); for the caller it
        // is a reply the runtime cannot read (Internal), as anywhere else.
        this.fail(RpcError.from(cause, Code.InvalidArgument), malformedReply(cause));
        return;
      }
    }
    const lost = sequence.check(frame);
    if (lost === undefined) this.receiver.receive(frame);
    else this.fail(lost, { type: "cancel", error: lost });
  }

  /** Hands the frames of a compact batch to the stream one by one, until one ends it. */
  private deliverBatch(body: Uint8Array): void {
    let parts: Uint8Array[];
    try {
      parts = splitCompactBatch(body);
    } catch (cause) {
      this.fail(RpcError.from(cause, Code.InvalidArgument), malformedReply(cause));
      return;
    }
    for (const part of parts) {
      if (this.connections.sockets.get(this.id) !== this) return; // Ended by an earlier part.
      this.deliver({ type: "reply", body: part });
    }
  }

  /** Ends the stream: `error` to the server, `local` to the receiver. */
  private fail(error: RpcError, local: Frame): void {
    this.close();
    try {
      this.send({ type: "cancel", error });
    } catch {
      // The server's own check or heartbeat ends its side.
    }
    this.receiver.receive(local);
  }

  close(): void {
    this.connections.sockets.delete(this.id);
  }
}
