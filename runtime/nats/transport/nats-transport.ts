import type { Msg, MsgHdrs, NatsConnection, Subscription } from "@nats-io/nats-core";
import { nuid } from "@nats-io/nats-core";
import { defaultMaxHeaderBytes } from "../../call/limits.js";
import { Code } from "../../errors/code.js";
import { RpcError } from "../../errors/rpc-error.js";
import { nodeAddress, serviceAddress } from "../../transport/subjects.js";
import type {
  Acceptor,
  ClientSocket,
  Frame,
  FrameReceiver,
  Listener,
  ListenOptions,
  Transport,
} from "../../transport/transport.js";
import { ClientConnections, type ClientOutlet, callIdOf } from "../../wire/client-connections.js";
import { encodeCompact } from "../../wire/compact-frame.js";
import { encodeFrame } from "../../wire/frame-codec.js";
import { ServerConnections, type ServerOutlet } from "../../wire/server-connections.js";
import { inboxPrefixOf } from "../nats-internals.js";
import { CompactBatcher } from "./compact-batcher.js";
import { ConnectionState } from "./connection-state.js";
import { headerBlock } from "./header-block.js";
import { decodeNatsFrame, decodeNatsReply, refuseMalformed } from "./nats-frame-codec.js";
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
 * the client uses to route replies: no subscription or timer per call. The
 * pseudo connections themselves are the shared ones of runtime/wire; this
 * class only puts their frames on NATS messages.
 */
export class NatsTransport implements Transport, ClientOutlet, ServerOutlet {
  readonly kind = "nats";
  /** Calls in progress. */
  readonly calls = new ClientConnections(this);
  private inbox = "";
  private subscription: Subscription | undefined;
  /** Stream frames' socket writes, held to the end of the event-loop turn. */
  readonly writes: WriteCoalescer;
  /** Listeners whose streams hear of reconnects. */
  readonly listeners = new Set<NatsListener>();
  private readonly connection: ConnectionState;
  /** Largest header block a received frame may have. */
  readonly maxHeaderBytes: number;
  /**
   * Options of the publishes of frames (without, with headers): nats.js
   * reads them synchronously and keeps nothing, so one object serves all
   * frames instead of one per frame.
   */
  private readonly replyOptions = { reply: "" };
  /** Options of a server's frames without headers (nats.js makes one per publish without). */
  private readonly noReplyOptions = { reply: "" };
  private withHeaders: { reply: string; headers: MsgHdrs } | undefined;
  /** Compact stream frames of this turn, gathered per subject into batches. */
  private readonly batcher = new CompactBatcher(
    (subject, reply, payload) => this.publishPayload(subject, reply, payload),
    () => this.maxPayload,
  );

  constructor(
    readonly nc: NatsConnection,
    readonly options: NatsTransportOptions = {},
  ) {
    // What gathered leaves before the turn's writes do.
    this.writes = new WriteCoalescer(nc, () => this.batcher.flush());
    this.maxHeaderBytes = options.maxHeaderBytes ?? defaultMaxHeaderBytes;
    this.connection = new ConnectionState(nc, {
      disconnected: () => this.calls.disconnected(),
      reconnected: () => {
        this.calls.reconnected();
        for (const listener of this.listeners) listener.connections.reconnected();
      },
    });
    nc.closed().then(
      () => this.failAll(),
      () => this.failAll(),
    );
    // NATS refused a publish to a subject: the calls to that address fail now
    // with `PermissionDenied` instead of waiting for their deadlines.
    void watchPublishDenials(nc, (subject, error) => this.calls.failAddress(subject, error));
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
    return this.calls.dial(this.inbox, address, receiver);
  }

  /** @internal The frames of every call leave here. */
  sendFrom(address: string, reply: string, frame: Frame, seq: number | undefined): void {
    if (this.batched(address, reply, frame, seq)) return;
    this.batcher.flush(); // Frames to a subject leave in the order they were sent.
    const encoded = encodeFrame(frame, seq);
    try {
      // Unary calls already leave in nats.js's batch; stream frames come a few hops apart.
      if (frame.type !== "call") this.writes.hold();
      if (encoded.lines === "") {
        const options = this.replyOptions;
        options.reply = reply;
        this.nc.publish(address, encoded.body, options);
      } else {
        this.nc.publish(address, encoded.body, this.headerOptions(reply, encoded.lines));
      }
    } catch (cause) {
      throw publishError(cause);
    }
  }

  /** @internal Every frame a server sends leaves here. */
  sendTo(peer: string, frame: Frame, seq: number | undefined): void {
    if (this.batched(peer, "", frame, seq)) return;
    this.batcher.flush(); // Frames to a subject leave in the order they were sent.
    const encoded = encodeFrame(frame, seq);
    try {
      if (frame.type !== "reply") this.writes.hold();
      if (encoded.lines === "") this.nc.publish(peer, encoded.body, this.noReplyOptions);
      else this.nc.publish(peer, encoded.body, this.headerOptions("", encoded.lines));
    } catch (cause) {
      throw publishError(cause);
    }
  }

  /**
   * Sends a stream's `msg` or `credit` frame in compact form through the
   * batcher while this turn's writes are held (so the batch surely leaves at
   * the turn's end); false for any other frame, or when nothing is held.
   */
  private batched(subject: string, reply: string, frame: Frame, seq: number | undefined): boolean {
    if (seq === undefined || (frame.type !== "message" && frame.type !== "credit")) return false;
    // A closed or draining connection refuses the publish now, so the sender learns of it.
    if (this.nc.isClosed() || this.nc.isDraining() || !this.writes.hold()) return false;
    const compact = encodeCompact(frame, seq);
    if (compact === undefined) return false;
    if (!this.batcher.add(subject, reply, compact)) this.publishPayload(subject, reply, compact);
    return true;
  }

  /** Publishes a payload without header block. */
  private publishPayload(subject: string, reply: string, payload: Uint8Array): void {
    const options = this.replyOptions;
    options.reply = reply;
    try {
      this.nc.publish(subject, payload, options);
    } catch (cause) {
      throw publishError(cause);
    }
  }

  /** The shared publish options with `reply` and the header block of `lines`. */
  private headerOptions(reply: string, lines: string): { reply: string; headers: MsgHdrs } {
    const headers = headerBlock(lines);
    const options = this.withHeaders;
    if (options === undefined) {
      this.withHeaders = { reply, headers };
      return this.withHeaders;
    }
    options.reply = reply;
    options.headers = headers;
    return options;
  }

  /**
   * @internal Hands a message that came to a server's subject to
   * `connections`: decoded, or answered in kind when malformed. `service`:
   * the service whose address it came to; `method`: the method its subject
   * stands for (a micro endpoint).
   */
  receive(
    connections: ServerConnections,
    msg: Msg,
    service: string | undefined,
    method: string | undefined,
  ): void {
    const peer = msg.reply;
    let frame: Frame;
    try {
      frame = decodeNatsFrame(msg, true, this.maxHeaderBytes);
    } catch (cause) {
      // Malformed, and without reply subject nobody to tell.
      if (peer) refuseMalformed(connections, msg, peer, cause, method);
      return;
    }
    if (peer) connections.arrive(frame, peer, service, method);
    else connections.arriveOneWay(frame, service, method);
  }

  publish(address: string, frame: Frame): void {
    this.batcher.flush();
    const encoded = encodeFrame(frame);
    try {
      this.nc.publish(
        address,
        encoded.body,
        encoded.lines === "" ? undefined : { headers: headerBlock(encoded.lines) },
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
    const sockets = this.calls.sockets;
    const subject = `${this.inbox}.>`;
    this.subscription = this.nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) {
          // Refused by NATS permissions (or closed): nothing will ever arrive
          // on it. Calls in progress fail now; the next call subscribes anew.
          this.subscription = undefined;
          this.calls.failAll(subscribeDenied(subject, err));
          return;
        }
        // Read from the public `msg.subject`: reading nats.js's raw subject
        // bytes instead measured no difference.
        const socket = sockets.get(callIdOf(msg.subject, skip));
        // A late reply for a call that finished (deadline, cancel) is dropped here.
        if (socket === undefined) return;
        socket.deliver(decodeNatsReply(msg));
      },
    });
  }

  private failAll(error = new RpcError(Code.Unavailable, "NATS connection closed")): void {
    this.calls.failAll(error);
  }
}

/** A server's subscriptions: one address per service it serves (or its node address). */
class NatsListener implements Listener {
  readonly address: string;
  /** Pseudo connections of the calls that came in. */
  readonly connections: ServerConnections;
  private readonly addressSubscriptions: Subscription[];
  /** The first subscription NATS refused, if any. */
  denied: RpcError | undefined;
  private readonly services: ReadonlySet<string>;
  private readonly nodeId: string;

  constructor(
    readonly transport: NatsTransport,
    options: ListenOptions,
    acceptor: Acceptor,
  ) {
    const nc = transport.nc;
    const ns = transport.namespace;
    this.connections = new ServerConnections(transport, acceptor);
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
          else transport.receive(this.connections, msg, service, undefined);
        },
      }),
    );
    transport.listeners.add(this);
  }

  addressOf(service: string): string {
    if (!this.services.has(service)) return this.address;
    return serviceAddress(this.transport.namespace, service, this.nodeId);
  }

  async close(): Promise<void> {
    this.transport.listeners.delete(this);
    this.connections.close();
    await Promise.all(
      this.addressSubscriptions.map((s) =>
        s.isClosed() ? undefined : s.drain().catch(() => undefined),
      ),
    );
  }
}
