import type { RpcError } from "../errors/rpc-error.js";

/**
 * What one frame of a pseudo connection means. A unary call is one `call`
 * frame answered by one `reply` frame; a stream starts with `open` and then
 * carries `message`, `credit` and `ping` frames both ways until each side has
 * sent `end` (half-close) or either side sends `cancel` (close).
 */
export type FrameType =
  | "call"
  | "reply"
  | "open"
  | "message"
  | "end"
  | "cancel"
  | "credit"
  | "ping";

/**
 * One frame of a pseudo connection, independent of how a transport puts it on
 * the wire. Frames are handed over, never copied: neither side mutates a frame
 * after sending or receiving it.
 */
export interface Frame {
  type: FrameType;
  /** `call`, `open`: method path `/package.Service/Method`. */
  method?: string | undefined;
  /** `call`, `open`: remaining deadline budget in milliseconds. */
  timeoutMs?: number | undefined;
  /**
   * `call`, as sent: the server reads compact calls (its node record says
   * so), so a call without request headers may travel without header block.
   */
  compact?: boolean | undefined;
  /** `open`: credit granted to the server for response messages. */
  window?: number | undefined;
  /** `open`: the client's heartbeat interval, which both sides use for this stream. */
  heartbeatMs?: number | undefined;
  /** `credit`: number of further messages the receiver accepts. */
  credit?: number | undefined;
  /**
   * As received: the sender's sequence number of a stream frame (see
   * `FrameSequence`, runtime/wire). Senders leave it unset.
   */
  seq?: number | undefined;
  /**
   * Request headers (`call`, `open`); response headers (`reply`, and the first
   * `message` or `end` from a server); error metadata with `error`.
   */
  headers?: Record<string, string> | undefined;
  /** Trailers: `reply` and a server's `end`. */
  trailers?: Record<string, string> | undefined;
  /** Failure of the call: `reply`, `end` (from a server), `cancel`. */
  error?: RpcError | undefined;
  /** Protobuf binary of a request or response message. */
  body?: Uint8Array | undefined;
}

/** Gets the frames that arrive on a pseudo connection. */
export interface FrameReceiver {
  /** Called synchronously, in order, for every frame; must not throw. */
  receive(frame: Frame): void;
  /**
   * The transport's connection dropped: frames sent from now on are lost
   * until {@link reconnected}. Must not throw.
   */
  disconnected?(): void;
  /**
   * The transport's connection is back; frames sent or answers due while it
   * was away may have been lost. Must not throw.
   */
  reconnected?(): void;
}

/** The client end of a pseudo connection to one server address. */
export interface ClientSocket {
  /**
   * Sends a frame to the server. Throws `RpcError` (`Unavailable` when the
   * connection is closed, `ResourceExhausted` when the frame is too big).
   * When the server address has no listener any more, the receiver gets a
   * `cancel` frame with `Unavailable`.
   */
  send(frame: Frame): void;
  /** Forgets the connection locally; frames that still arrive are dropped. */
  close(): void;
}

/** The server end of a pseudo connection: one per client call. */
export interface ServerSocket {
  /**
   * Names the client connection the call came from (its reply address
   * without the call's token, e.g. the NATS inbox), for limits per client;
   * undefined when the transport cannot tell.
   */
  readonly connection?: string | undefined;
  /** Sends a frame to the client; throws `RpcError` like {@link ClientSocket.send}. */
  send(frame: Frame): void;
  /** Routes the further frames of this connection (a stream) to `receiver`. */
  bind(receiver: FrameReceiver): void;
  /** Forgets the connection; later frames from the client are answered with `cancel`. */
  close(): void;
}

/** Accepts new pseudo connections on a listener. */
export interface Acceptor {
  /**
   * Called with the first frame (`call` or `open`) of each new connection.
   * Must not throw.
   */
  accept(frame: Frame, socket: ServerSocket): void;
  /**
   * A call the transport answered with `error` itself (a malformed frame),
   * for the books; `method` when known (e.g. a NATS micro endpoint subject
   * names it).
   */
  refused?(method: string | undefined, error: RpcError): void;
}

export interface ListenOptions {
  /** Unique id of the server instance; the address is derived from it. */
  nodeId: string;
  /**
   * Services the instance serves. On NATS each gets its own address naming
   * it (`[ns.]pn.svc.<Service>.<nodeId>`, so permissions can say who may
   * serve and call it), which then replaces the node address.
   */
  services?: string[];
}

/** A server's listening end. */
export interface Listener {
  /** The address clients dial, e.g. `pn.node.<nodeId>`. */
  readonly address: string;
  /** The address clients dial for `service` (the node address when it has none of its own). */
  addressOf(service: string): string;
  /** Stops listening entirely. */
  close(): Promise<void>;
}

/**
 * Moves frames between clients and servers: NATS by default, in-process for
 * unit tests. Both implementations pass the same contract tests.
 */
export interface Transport {
  readonly kind: string;
  /**
   * Largest frame (headers plus body) that may be sent, in bytes: the NATS
   * server's `max_payload`. Clients check requests against it before sending.
   */
  readonly maxPayload: number;
  /**
   * False while the connection is down (reconnecting), when frames sent are
   * lost for sure. Transports that cannot lose their connection leave it out.
   */
  readonly connected?: boolean;
  /**
   * Resolves once the connection is up; rejects (undelivered) with
   * `DeadlineExceeded` at `deadline` (epoch ms), with the signal's reason, or
   * with `Unavailable` when the connection closed for good.
   */
  whenConnected?(deadline: number | undefined, signal: AbortSignal | undefined): Promise<void>;
  /** Opens a pseudo connection to a server address; frames arrive at `receiver`. */
  dial(address: string, receiver: FrameReceiver): ClientSocket;
  /**
   * Sends a one-way `call` frame (fire-and-forget methods): the server runs it
   * and answers nobody. Throws `RpcError` like {@link ClientSocket.send}; an
   * address without listener is not reported.
   */
  publish(address: string, frame: Frame): void;
  /** Starts listening for pseudo connections. */
  listen(options: ListenOptions, acceptor: Acceptor): Promise<Listener>;
  /** Stops the transport's own subscriptions (not the NATS connection). */
  close(): Promise<void>;
}
