import {
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  nuid,
  type Subscription,
} from "@nats-io/nats-core";
import { defaultMaxHeaderBytes } from "../../call/limits.js";
import { Code } from "../../errors/code.js";
import { RpcError } from "../../errors/rpc-error.js";
import { namespaced, nodeAddress, serviceAddress } from "../../transport/subjects.js";
import type {
  Acceptor,
  ClientSocket,
  EndpointBinding,
  Frame,
  FrameReceiver,
  Listener,
  ListenOptions,
  ServerSocket,
  Transport,
} from "../../transport/transport.js";
import { inboxPrefixOf } from "../nats-internals.js";
import { ConnectionState } from "./connection-state.js";
import { FrameSequence } from "./frame-sequence.js";
import { decodeFrame, encodeFrame } from "./nats-frame-codec.js";
import { subscribeDenied, watchPublishDenials } from "./permission-errors.js";
import { publishError } from "./publish-error.js";
import { WriteCoalescer } from "./write-coalescer.js";

export interface NatsTransportOptions {
  /** Prefix of node addresses and endpoint subjects. */
  namespace?: string;
  /** Largest header block a received frame may have. Default {@link defaultMaxHeaderBytes}. */
  maxHeaderBytes?: number;
  /**
   * Prefix of the reply subscription: the `inboxPrefix` the connection was
   * opened with. Default: read from the connection, else `_INBOX`.
   */
  inboxPrefix?: string;
}

/** NATS's default when the server has not told us yet. */
const defaultMaxPayload = 1024 * 1024;

/**
 * The NATS transport. A server listens on its own subject `[ns.]pn.node.<id>`
 * (its address). All calls a process makes share ONE wildcard subscription on
 * `<inboxPrefix>.<nuid>.>`; each call has its own reply subject under it
 * (`...<callId>`), which the server uses to tell pseudo connections apart and
 * the client uses to route replies: no subscription or timer per call.
 */
export class NatsTransport implements Transport {
  readonly kind = "nats";
  /** Pseudo connections in progress, by call id. */
  readonly sockets = new Map<number, NatsClientSocket>();
  private inbox = "";
  private subscription: Subscription | undefined;
  private nextCallId = 0;
  /** Stream frames' socket writes, held to the end of the event-loop turn. */
  readonly writes: WriteCoalescer;
  /** Listeners whose streams hear of reconnects. */
  readonly listeners = new Set<NatsListener>();
  private readonly connection: ConnectionState;

  constructor(
    readonly nc: NatsConnection,
    readonly options: NatsTransportOptions = {},
  ) {
    this.writes = new WriteCoalescer(nc);
    this.connection = new ConnectionState(nc, {
      disconnected: () => {
        for (const socket of [...this.sockets.values()]) socket.receiver.disconnected?.();
      },
      reconnected: () => {
        for (const socket of [...this.sockets.values()]) socket.reconnected();
        for (const listener of this.listeners) listener.reconnected();
      },
    });
    nc.closed().then(
      () => this.failAll(),
      () => this.failAll(),
    );
    void watchPublishDenials(nc, (subject, error) => this.publishDenied(subject, error));
  }

  /**
   * NATS refused a publish to `subject`: the calls to that address fail now
   * with `PermissionDenied` instead of waiting for their deadlines.
   */
  private publishDenied(subject: string, error: RpcError): void {
    for (const socket of [...this.sockets.values()]) {
      if (socket.address !== subject) continue;
      this.sockets.delete(socket.id);
      socket.receiver.receive({ type: "cancel", error });
    }
  }

  get maxPayload(): number {
    return this.nc.info?.max_payload ?? defaultMaxPayload;
  }

  get namespace(): string | undefined {
    return this.options.namespace;
  }

  get connected(): boolean {
    return this.connection.connected;
  }

  whenConnected(deadline: number | undefined, signal: AbortSignal | undefined): Promise<void> {
    return this.connection.whenConnected(deadline, signal);
  }

  dial(address: string, receiver: FrameReceiver): ClientSocket {
    if (this.subscription === undefined) this.subscribeReplies();
    const id = ++this.nextCallId;
    const socket = new NatsClientSocket(
      this,
      id,
      address,
      `${this.inbox}.${id.toString(36)}`,
      receiver,
    );
    this.sockets.set(id, socket);
    return socket;
  }

  publish(address: string, frame: Frame): void {
    const encoded = encodeFrame(frame);
    try {
      this.nc.publish(
        address,
        encoded.body,
        encoded.headers ? { headers: encoded.headers } : undefined,
      );
    } catch (cause) {
      throw publishError(cause);
    }
  }

  async listen(options: ListenOptions, acceptor: Acceptor): Promise<Listener> {
    const listener = new NatsListener(this, options, acceptor);
    // A round trip to the NATS server, so that the subscriptions are in place
    // before the address is announced anywhere, and so that a subscription
    // the server refused has been reported (its -ERR comes before the PONG).
    await this.nc.flush();
    if (listener.denied !== undefined) {
      await listener.close();
      throw listener.denied;
    }
    return listener;
  }

  async close(): Promise<void> {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.connection.stop();
    this.failAll();
  }

  private subscribeReplies(): void {
    const prefix = inboxPrefixOf(this.nc, this.options.inboxPrefix);
    this.inbox = `${prefix}.${nuid.next()}`;
    const skip = this.inbox.length + 1;
    const sockets = this.sockets;
    const subject = `${this.inbox}.>`;
    this.subscription = this.nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) {
          // Refused by NATS permissions (or closed): nothing will ever arrive
          // on it. Calls in progress fail now; the next call subscribes anew.
          this.subscription = undefined;
          this.failAll(subscribeDenied(subject, err));
          return;
        }
        const socket = sockets.get(callIdOf(msg, skip));
        // A late reply for a call that finished (deadline, cancel) is dropped here.
        if (socket === undefined) return;
        socket.deliver(decodeReply(msg));
      },
    });
  }

  private failAll(error = new RpcError(Code.Unavailable, "NATS connection closed")): void {
    for (const socket of [...this.sockets.values()]) {
      this.sockets.delete(socket.id);
      socket.receiver.receive({ type: "cancel", error });
    }
  }
}

function decodeReply(msg: Msg): Frame {
  try {
    return decodeFrame(msg, false, Infinity);
  } catch (cause) {
    const text = cause instanceof RpcError ? cause.rawMessage : "undecodable frame";
    return {
      type: "cancel",
      error: new RpcError(Code.Internal, `malformed reply: ${text}`, { cause }),
    };
  }
}

/**
 * The call id at the end of a reply subject (base 36 from `skip` on), or -1
 * when it is not one. Read from the public `msg.subject`: reading nats.js's
 * raw subject bytes instead measured no difference.
 */
function callIdOf(msg: Msg, skip: number): number {
  const subject = msg.subject;
  if (skip >= subject.length || subject.charCodeAt(skip) === 48) return -1; // Ids have no leading zero.
  let id = 0;
  for (let i = skip; i < subject.length; i++) {
    const digit = base36Digit(subject.charCodeAt(i));
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

/** The client end of one call: publishes to the server address with its own reply subject. */
class NatsClientSocket implements ClientSocket {
  private readonly publishOptions: { reply: string; headers?: MsgHdrs };
  /** Numbers of stream frames; unary calls have none. */
  private sequence: FrameSequence | undefined;

  constructor(
    private readonly transport: NatsTransport,
    readonly id: number,
    readonly address: string,
    reply: string,
    readonly receiver: FrameReceiver,
  ) {
    this.publishOptions = { reply };
  }

  send(frame: Frame): void {
    if (frame.type === "open") this.sequence = new FrameSequence();
    const sequence = this.sequence;
    try {
      const encoded = encodeFrame(frame, sequence?.stamp(frame.type));
      const options = this.publishOptions;
      if (encoded.headers === undefined) delete options.headers;
      else options.headers = encoded.headers;
      // Unary calls already leave in nats.js's batch; stream frames come a few hops apart.
      if (frame.type !== "call") this.transport.writes.hold();
      this.transport.nc.publish(this.address, encoded.body, options);
    } catch (cause) {
      sequence?.withdraw(frame.type);
      throw publishError(cause);
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

  /** Hands a frame from the server to the receiver; a gap in a stream's frames ends the stream. */
  deliver(frame: Frame): void {
    const lost = this.sequence?.check(frame);
    if (lost === undefined) {
      this.receiver.receive(frame);
      return;
    }
    this.close();
    try {
      this.send({ type: "cancel", error: lost });
    } catch {
      // The server's own check or heartbeat ends its side.
    }
    this.receiver.receive({ type: "cancel", error: lost });
  }

  close(): void {
    this.transport.sockets.delete(this.id);
  }
}

/** A server's subscriptions: its address and the shared micro endpoint subjects. */
class NatsListener implements Listener {
  readonly address: string;
  readonly endpoints: EndpointBinding[];
  /** Streams in progress, by the client's reply subject. */
  readonly streams = new Map<string, NatsServerSocket>();
  private readonly addressSubscriptions: Subscription[];
  private endpointSubscriptions: Subscription[];
  private readonly maxHeaderBytes: number;
  /** The first subscription NATS refused, if any. */
  denied: RpcError | undefined;
  private readonly services: ReadonlySet<string>;
  private readonly nodeId: string;

  constructor(
    readonly transport: NatsTransport,
    options: ListenOptions,
    private readonly acceptor: Acceptor,
  ) {
    const nc = transport.nc;
    const ns = transport.namespace;
    this.maxHeaderBytes = transport.options.maxHeaderBytes ?? defaultMaxHeaderBytes;
    this.address = nodeAddress(ns, options.nodeId);
    this.nodeId = options.nodeId;
    this.services = new Set(options.services ?? []);
    const addresses: [string, string | undefined][] =
      this.services.size === 0
        ? [[this.address, undefined]]
        : [...this.services].map((s) => [serviceAddress(ns, s, options.nodeId), s]);
    this.addressSubscriptions = addresses.map(([address, service]) =>
      nc.subscribe(address, {
        callback: (err, msg) => {
          if (err) this.denied ??= subscribeDenied(address, err);
          else this.onMessage(msg, undefined, service);
        },
      }),
    );
    this.endpoints = (options.endpoints ?? []).map((e) => ({
      ...e,
      subject: namespaced(ns, e.subject),
    }));
    transport.listeners.add(this);
    this.endpointSubscriptions = this.endpoints.map((e) =>
      nc.subscribe(e.subject, {
        queue: e.queue,
        callback: (err, msg) => {
          if (err) this.denied ??= subscribeDenied(e.subject, err);
          else this.onMessage(msg, e.method);
        },
      }),
    );
  }

  addressOf(service: string): string {
    if (!this.services.has(service)) return this.address;
    return serviceAddress(this.transport.namespace, service, this.nodeId);
  }

  /**
   * `service`: the service whose address the message came to. A call there
   * may only name that service's methods, or a user allowed to call S could
   * reach every other service of the instance through S's address.
   */
  private onMessage(
    msg: Msg,
    endpointMethod: string | undefined,
    service?: string | undefined,
  ): void {
    const peer = msg.reply;
    if (!peer) {
      this.oneWay(msg, endpointMethod, service);
      return;
    }
    let frame: Frame;
    try {
      frame = decodeFrame(msg, true, this.maxHeaderBytes);
    } catch (cause) {
      const error = RpcError.from(cause, Code.InvalidArgument);
      // An oversized header block is not parsed to learn the frame type:
      // `cancel` ends a unary call as well as a stream.
      const cancel = error.code === Code.ResourceExhausted || msg.headers?.has("Pn-Frame");
      const reply: Frame = cancel ? { type: "cancel", error } : { type: "reply", error };
      new NatsServerSocket(this, peer).trySend(reply);
      this.acceptor.refused?.(endpointMethod, error);
      return;
    }
    if (frame.type === "call" || frame.type === "open") {
      if (endpointMethod !== undefined) frame.method = endpointMethod;
      if (!servedAt(service, frame.method)) {
        const error = new RpcError(
          Code.PermissionDenied,
          `method ${frame.method} is not served at the address of ${service}`,
        );
        new NatsServerSocket(this, peer, false).trySend(
          frame.type === "call" ? { type: "reply", error } : { type: "cancel", error },
        );
        return;
      }
      this.acceptor.accept(frame, new NatsServerSocket(this, peer, frame.type === "open"));
      return;
    }
    const stream = this.streams.get(peer);
    if (stream?.receiver !== undefined) {
      stream.deliver(frame);
    } else if (frame.type !== "cancel") {
      new NatsServerSocket(this, peer).trySend({
        type: "cancel",
        error: new RpcError(Code.Aborted, "stream is unknown to the server (finished or reaped)"),
      });
    }
  }

  /** A call without reply subject (fire and forget): run it, answer nobody. */
  private oneWay(msg: Msg, endpointMethod: string | undefined, service?: string): void {
    let frame: Frame;
    try {
      frame = decodeFrame(msg, true, this.maxHeaderBytes);
    } catch {
      return; // Malformed, and nobody to tell.
    }
    if (frame.type !== "call") return;
    if (endpointMethod !== undefined) frame.method = endpointMethod;
    if (!servedAt(service, frame.method)) return;
    this.acceptor.accept(frame, discardSocket);
  }

  async stopEndpoints(): Promise<void> {
    const subs = this.endpointSubscriptions;
    this.endpointSubscriptions = [];
    // drain: messages already delivered to this instance are still handled.
    await Promise.all(subs.map((s) => s.drain().catch(() => undefined)));
  }

  /** Each stream pings at once, so that its client learns of frames it missed. */
  reconnected(): void {
    for (const stream of [...this.streams.values()]) stream.trySend({ type: "ping" });
  }

  async close(): Promise<void> {
    this.transport.listeners.delete(this);
    await this.stopEndpoints();
    this.streams.clear();
    await Promise.all(
      this.addressSubscriptions.map((s) =>
        s.isClosed() ? undefined : s.drain().catch(() => undefined),
      ),
    );
  }
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

/** The server end of one call: publishes to the client's reply subject. */
class NatsServerSocket implements ServerSocket {
  receiver: FrameReceiver | undefined;
  /** Numbers of stream frames; unary calls have none. */
  private readonly sequence: FrameSequence | undefined;

  constructor(
    private readonly listener: NatsListener,
    readonly peer: string,
    stream = false,
  ) {
    this.sequence = stream ? new FrameSequence() : undefined;
  }

  send(frame: Frame): void {
    const sequence = this.sequence;
    try {
      const encoded = encodeFrame(frame, sequence?.stamp(frame.type));
      if (frame.type !== "reply") this.listener.transport.writes.hold();
      this.listener.transport.nc.publish(
        this.peer,
        encoded.body,
        encoded.headers ? { headers: encoded.headers } : undefined,
      );
    } catch (cause) {
      sequence?.withdraw(frame.type);
      throw publishError(cause);
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

  get connection(): string {
    const peer = this.peer;
    const dot = peer.lastIndexOf(".");
    return dot > 0 ? peer.slice(0, dot) : peer;
  }

  bind(receiver: FrameReceiver): void {
    this.receiver = receiver;
    this.listener.streams.set(this.peer, this);
  }

  /** Hands a frame from the client to the stream; a gap in its frames ends the stream. */
  deliver(frame: Frame): void {
    const receiver = this.receiver;
    if (receiver === undefined) return;
    const lost = this.sequence?.check(frame);
    if (lost === undefined) {
      receiver.receive(frame);
      return;
    }
    this.close();
    this.trySend({ type: "cancel", error: lost });
    receiver.receive({ type: "cancel", error: lost });
  }

  close(): void {
    if (this.listener.streams.get(this.peer) === this) this.listener.streams.delete(this.peer);
  }
}
