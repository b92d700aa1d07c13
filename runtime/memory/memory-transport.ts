import { defaultMaxHeaderBytes } from "../call/limits.js";
import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import { markUndelivered } from "../errors/undelivered.js";
import { randomId } from "../platform/random-id.js";
import { nodeAddress } from "../transport/subjects.js";
import type {
  Acceptor,
  ClientSocket,
  Frame,
  FrameReceiver,
  Listener,
  ListenOptions,
  Transport,
} from "../transport/transport.js";
import { ClientConnections, type ClientOutlet, callIdOf } from "../wire/client-connections.js";
import {
  answeredWithCancel,
  decodeFrame,
  encodeFrame,
  malformedReply,
} from "../wire/frame-codec.js";
import {
  headerBlockBytes,
  type ParsedHeaders,
  parseHeaderBlock,
  statusBlockBytes,
} from "../wire/header-block.js";
import { ServerConnections, type ServerOutlet } from "../wire/server-connections.js";

export interface MemoryTransportOptions {
  /** Prefix of node addresses, as on NATS. */
  namespace?: string;
  /** Largest frame (header block plus body) accepted, like NATS's `max_payload`. Default 1 MiB. */
  maxPayload?: number;
  /** Largest header block a received frame may have, as on NATS. Default 64 KiB. */
  maxHeaderBytes?: number;
  /**
   * Transports on the same network reach each other's listeners, like
   * processes on one NATS server. Default: a network of its own.
   */
  network?: MemoryNetwork;
}

/**
 * A frame as it travels: the bytes a NATS message would carry (the header
 * block, then the body) and where the block ends (0: none).
 */
interface WireMessage {
  readonly subject: string;
  readonly reply: string | undefined;
  readonly data: Uint8Array;
  readonly headerLength: number;
}

/** Listeners and reply inboxes by subject: what a NATS server is to processes connected to it. */
export class MemoryNetwork {
  readonly listeners = new Map<string, MemoryListener>();
  /** Client transports by the inbox their calls' reply addresses are under. */
  readonly inboxes = new Map<string, MemoryTransport>();

  /**
   * Delivers a message asynchronously and in order. A message to a subject
   * nobody listens on is answered, when it has a reply address, with the
   * NATS server's "no responders" status.
   */
  post(message: WireMessage): void {
    queueMicrotask(() => this.deliver(message));
  }

  private deliver(message: WireMessage): void {
    const subject = message.subject;
    const listener = this.listeners.get(subject);
    if (listener !== undefined) {
      listener.arrive(message);
      return;
    }
    const dot = subject.lastIndexOf(".");
    const client = dot > 0 ? this.inboxes.get(subject.slice(0, dot)) : undefined;
    if (client !== undefined) {
      client.arriveReply(message, dot + 1);
      return;
    }
    if (message.reply !== undefined) {
      const data = statusBlockBytes(503);
      this.post({ subject: message.reply, reply: undefined, data, headerLength: data.length });
    }
  }
}

/**
 * An in-process transport with the semantics of the NATS one: every frame
 * goes through the same codec and the same pseudo-connection bookkeeping
 * (runtime/wire), as bytes; frames are delivered asynchronously and in
 * order, a missing address answers like NATS "no responders", oversized and
 * malformed frames are refused as on NATS. For unit tests of services.
 */
export class MemoryTransport implements Transport, ClientOutlet {
  readonly kind = "memory";
  readonly maxPayload: number;
  readonly maxHeaderBytes: number;
  readonly network: MemoryNetwork;
  /** Calls in progress. */
  readonly calls = new ClientConnections(this);
  /** Where answers to this transport's calls are sent: `<inbox>.<callId>`. */
  private readonly inbox = `_INBOX.${randomId()}`;
  private closed = false;

  constructor(readonly options: MemoryTransportOptions = {}) {
    this.maxPayload = options.maxPayload ?? 1024 * 1024;
    this.maxHeaderBytes = options.maxHeaderBytes ?? defaultMaxHeaderBytes;
    this.network = options.network ?? new MemoryNetwork();
    this.network.inboxes.set(this.inbox, this);
  }

  dial(address: string, receiver: FrameReceiver): ClientSocket {
    return this.calls.dial(this.inbox, address, receiver);
  }

  /** @internal The frames of every call leave here. */
  sendFrom(address: string, reply: string, frame: Frame, seq: number | undefined): void {
    this.post(address, reply, frame, seq);
  }

  publish(address: string, frame: Frame): void {
    this.post(address, undefined, frame, undefined);
  }

  async listen(options: ListenOptions, acceptor: Acceptor): Promise<Listener> {
    const listener = new MemoryListener(
      this,
      nodeAddress(this.options.namespace, options.nodeId),
      acceptor,
    );
    this.network.listeners.set(listener.address, listener);
    return listener;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.network.inboxes.get(this.inbox) === this) this.network.inboxes.delete(this.inbox);
    this.calls.failAll(new RpcError(Code.Unavailable, "transport closed"));
  }

  /**
   * @internal Encodes a frame to the bytes NATS would carry and posts them.
   * Throws like NATS: `Unavailable` once closed, `ResourceExhausted` beyond
   * `maxPayload` (both undelivered).
   */
  post(subject: string, reply: string | undefined, frame: Frame, seq: number | undefined): void {
    if (this.closed) throw markUndelivered(new RpcError(Code.Unavailable, "transport closed"));
    const encoded = encodeFrame(frame, seq);
    const header = encoded.lines === "" ? undefined : headerBlockBytes(encoded.lines);
    const headerLength = header?.length ?? 0;
    const size = headerLength + encoded.body.length;
    if (size > this.maxPayload) {
      throw markUndelivered(
        new RpcError(
          Code.ResourceExhausted,
          `message of ${size} bytes exceeds max_payload ${this.maxPayload}`,
        ),
      );
    }
    // A copy, as a network makes one: the receiver owns its bytes, and the
    // sender may reuse its buffers.
    const data = new Uint8Array(size);
    if (header !== undefined) data.set(header);
    data.set(encoded.body, headerLength);
    this.network.post({ subject, reply, data, headerLength });
  }

  /** @internal A server's answer to one of this transport's calls (`idAt`: where its id starts). */
  arriveReply(message: WireMessage, idAt: number): void {
    const socket = this.calls.sockets.get(callIdOf(message.subject, idAt));
    // A late reply for a call that finished (deadline, cancel) is dropped here.
    if (socket === undefined) return;
    let frame: Frame;
    try {
      frame = decodeFrame(headersOf(message, Infinity), bodyOf(message), false);
    } catch (cause) {
      frame = malformedReply(cause);
    }
    socket.deliver(frame);
  }
}

function headersOf(message: WireMessage, maxBytes: number): ParsedHeaders | undefined {
  const length = message.headerLength;
  return length === 0 ? undefined : parseHeaderBlock(message.data, length, maxBytes);
}

function bodyOf(message: WireMessage): Uint8Array {
  return message.data.subarray(message.headerLength);
}

class MemoryListener implements Listener, ServerOutlet {
  readonly connections: ServerConnections;
  private closed = false;

  constructor(
    readonly transport: MemoryTransport,
    readonly address: string,
    acceptor: Acceptor,
  ) {
    this.connections = new ServerConnections(this, acceptor);
  }

  /** In process there are no permissions to express: every service shares the node address. */
  addressOf(_service: string): string {
    return this.address;
  }

  arrive(message: WireMessage): void {
    if (this.closed) return;
    const peer = message.reply;
    let parsed: ParsedHeaders | undefined;
    let frame: Frame;
    try {
      parsed = headersOf(message, this.transport.maxHeaderBytes);
      frame = decodeFrame(parsed, bodyOf(message), true);
    } catch (cause) {
      if (peer === undefined) return; // Malformed, and nobody to tell.
      const error = RpcError.from(cause, Code.InvalidArgument);
      this.connections.malformed(peer, error, answeredWithCancel(error, parsed));
      return;
    }
    if (peer === undefined) this.connections.arriveOneWay(frame);
    else this.connections.arrive(frame, peer);
  }

  /** @internal Every frame the server sends leaves here. */
  sendTo(peer: string, frame: Frame, seq: number | undefined): void {
    this.transport.post(peer, undefined, frame, seq);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.connections.close();
    const listeners = this.transport.network.listeners;
    if (listeners.get(this.address) === this) listeners.delete(this.address);
  }
}
