import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import { markUndelivered } from "../errors/undelivered.js";
import { nodeAddress } from "../transport/subjects.js";
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
} from "../transport/transport.js";

export interface MemoryTransportOptions {
  /** Prefix of node addresses, as on NATS. */
  namespace?: string;
  /** Largest frame body accepted, like NATS's `max_payload`. Default 1 MiB. */
  maxPayload?: number;
  /**
   * Transports on the same network reach each other's listeners, like
   * processes on one NATS server. Default: a network of its own.
   */
  network?: MemoryNetwork;
}

/** Listeners by address: what a NATS server is to processes connected to it. */
export class MemoryNetwork {
  readonly listeners = new Map<string, MemoryListener>();
}

/**
 * An in-process transport with the semantics of the NATS one: frames are
 * delivered asynchronously and in order, a missing address answers like NATS
 * "no responders", oversized frames are refused. For unit tests of services.
 */
export class MemoryTransport implements Transport {
  readonly kind = "memory";
  readonly maxPayload: number;
  readonly network: MemoryNetwork;
  private readonly sockets = new Set<MemoryClientSocket>();
  private closed = false;

  constructor(readonly options: MemoryTransportOptions = {}) {
    this.maxPayload = options.maxPayload ?? 1024 * 1024;
    this.network = options.network ?? new MemoryNetwork();
  }

  dial(address: string, receiver: FrameReceiver): ClientSocket {
    const socket = new MemoryClientSocket(this, address, receiver);
    this.sockets.add(socket);
    return socket;
  }

  publish(address: string, frame: Frame): void {
    this.checkSend(frame);
    queueMicrotask(() => this.network.listeners.get(address)?.arriveOneWay(frame));
  }

  async listen(options: ListenOptions, acceptor: Acceptor): Promise<Listener> {
    const listener = new MemoryListener(
      this,
      nodeAddress(this.options.namespace, options.nodeId),
      options.endpoints ?? [],
      acceptor,
    );
    this.network.listeners.set(listener.address, listener);
    return listener;
  }

  async close(): Promise<void> {
    this.closed = true;
    const error = new RpcError(Code.Unavailable, "transport closed");
    for (const socket of [...this.sockets]) {
      socket.close();
      socket.deliver({ type: "cancel", error });
    }
  }

  /** @internal */
  checkSend(frame: Frame): void {
    if (this.closed) throw markUndelivered(new RpcError(Code.Unavailable, "transport closed"));
    const size = frame.body?.length ?? 0;
    if (size > this.maxPayload) {
      throw markUndelivered(
        new RpcError(
          Code.ResourceExhausted,
          `message of ${size} bytes exceeds max_payload ${this.maxPayload}`,
        ),
      );
    }
  }

  /** @internal */
  forget(socket: MemoryClientSocket): void {
    this.sockets.delete(socket);
  }
}

class MemoryClientSocket implements ClientSocket {
  private open = true;
  /** The server end once the first frame reached a listener. */
  peer: MemoryServerSocket | undefined;

  constructor(
    private readonly transport: MemoryTransport,
    private readonly address: string,
    private readonly receiver: FrameReceiver,
  ) {}

  send(frame: Frame): void {
    this.transport.checkSend(frame);
    queueMicrotask(() => this.arrive(frame));
  }

  private arrive(frame: Frame): void {
    const listener = this.transport.network.listeners.get(this.address);
    if (listener === undefined) {
      this.deliver({
        type: "cancel",
        error: markUndelivered(new RpcError(Code.Unavailable, "no responders: the node is gone")),
      });
      return;
    }
    listener.arrive(frame, this);
  }

  /** Hands a frame from the server to the receiver unless the socket was closed. */
  deliver(frame: Frame): void {
    if (this.open) this.receiver.receive(frame);
  }

  close(): void {
    this.open = false;
    this.transport.forget(this);
  }
}

class MemoryListener implements Listener {
  readonly streams = new Map<MemoryClientSocket, MemoryServerSocket>();
  private closed = false;

  constructor(
    readonly transport: MemoryTransport,
    readonly address: string,
    readonly endpoints: readonly EndpointBinding[],
    private readonly acceptor: Acceptor,
  ) {}

  /** In process there are no permissions to express: every service shares the node address. */
  addressOf(_service: string): string {
    return this.address;
  }

  arrive(frame: Frame, client: MemoryClientSocket): void {
    if (this.closed) return;
    if (frame.type === "call" || frame.type === "open") {
      this.acceptor.accept(frame, new MemoryServerSocket(this, client));
      return;
    }
    const stream = this.streams.get(client);
    if (stream?.receiver !== undefined) {
      stream.receiver.receive(frame);
    } else if (frame.type !== "cancel") {
      client.deliver({
        type: "cancel",
        error: new RpcError(Code.Aborted, "stream is unknown to the server (finished or reaped)"),
      });
    }
  }

  arriveOneWay(frame: Frame): void {
    if (!this.closed && frame.type === "call") this.acceptor.accept(frame, discardSocket);
  }

  async stopEndpoints(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
    this.streams.clear();
    const listeners = this.transport.network.listeners;
    if (listeners.get(this.address) === this) listeners.delete(this.address);
  }
}

/** The server end of a one-way call: there is nobody to answer. */
const discardSocket: ServerSocket = {
  send() {},
  bind() {},
  close() {},
};

class MemoryServerSocket implements ServerSocket {
  receiver: FrameReceiver | undefined;

  constructor(
    private readonly listener: MemoryListener,
    private readonly client: MemoryClientSocket,
  ) {}

  send(frame: Frame): void {
    this.listener.transport.checkSend(frame);
    const client = this.client;
    queueMicrotask(() => client.deliver(frame));
  }

  bind(receiver: FrameReceiver): void {
    this.receiver = receiver;
    this.listener.streams.set(this.client, this);
  }

  close(): void {
    if (this.listener.streams.get(this.client) === this) this.listener.streams.delete(this.client);
  }
}
