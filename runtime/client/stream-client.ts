import type { DescMethod, DescService, Message } from "@bufbuild/protobuf";
import { deadlines, type Expirable } from "../call/deadline-wheel.js";
import {
  InboundQueue,
  type QueueOwner,
  SendCredit,
  yieldToEventLoop,
} from "../call/flow-control.js";
import { type Heartbeating, heartbeats } from "../call/heartbeat-monitor.js";
import { defaultServerLimits, sendBurst, streamDefaults } from "../call/limits.js";
import { decodeBinary } from "../codec/binary.js";
import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import { isUndelivered } from "../errors/undelivered.js";
import type { StreamRequest, StreamResponse } from "../interceptor.js";
import type { ServiceNode } from "../registry/registry.js";
import type { ClientSocket, Frame, FrameReceiver, Transport } from "../transport/transport.js";
import { abortError } from "./abort-error.js";
import { awaitConnection } from "./await-connection.js";
import type { ClientOptions } from "./client-options.js";
import { encodeRequestInit } from "./encode-request.js";
import type { MethodConfig } from "./method-config.js";
import type { NodePicker } from "./node-picker.js";
import type { SelectContext } from "./selector.js";

/** How long a waitForReady stream waits before it opens again where nobody listened. */
const reopenDelayMs = 100;

/** Opens streams of one method; the innermost step under the interceptors. */
export class StreamClient {
  private readonly selectContext: SelectContext;

  constructor(
    readonly transport: Transport,
    readonly picker: NodePicker,
    readonly service: DescService,
    readonly method: DescMethod,
    readonly config: MethodConfig,
    readonly options: ClientOptions,
  ) {
    this.selectContext = picker.contextFor(method);
  }

  async open(req: StreamRequest): Promise<StreamResponse> {
    const { signal, timeoutMs } = req;
    if (signal?.aborted) throw abortError(signal);
    if (timeoutMs !== undefined && timeoutMs <= 0) {
      throw new RpcError(Code.DeadlineExceeded, "deadline exceeded before the call started");
    }
    const deadline =
      timeoutMs !== undefined && Number.isFinite(timeoutMs) ? Date.now() + timeoutMs : undefined;
    const down = awaitConnection(this.transport, req.waitForReady, deadline, signal);
    if (down !== undefined) await down;
    const nodes = await this.picker.nodes();
    const context = this.picker.withLocality(this.selectContext, req.locality);
    const node = this.picker.pick(nodes, context);
    const call = new ClientStreamCall(this, node, req, deadline, context);
    return call.open();
  }
}

/**
 * One stream on the client. Response messages wait in a queue bounded by the
 * window granted to the server; request messages leave only with the
 * server's credit; the stream pings when idle and gives the server up after
 * the agreed number of silent intervals. Receiver, deadline entry, abort
 * listener and heartbeat member are this one object.
 */
class ClientStreamCall implements FrameReceiver, Expirable, Heartbeating, QueueOwner {
  wheelSlot = -1;
  lastSent = performance.now();
  lastReceived = performance.now();
  readonly heartbeatMs: number;
  readonly deadAfterMs: number;
  private readonly socket: ClientSocket;
  private readonly responses: InboundQueue<Message>;
  private readonly credit = new SendCredit(defaultServerLimits.maxWindow);
  private readonly header: Record<string, string> = {};
  private readonly trailer: Record<string, string> = {};
  private readonly window: number;
  private readonly startedAt = performance.now();
  private gotHeader = false;
  private done = false;
  /** The `open` frame, kept until the server answers anything (see {@link reopen}). */
  private openFrame: Frame | undefined;

  constructor(
    private readonly owner: StreamClient,
    private readonly node: ServiceNode,
    private readonly req: StreamRequest,
    private readonly deadline: number | undefined,
    private readonly selectContext: SelectContext,
  ) {
    const o = owner.options;
    this.window = Math.max(1, o.window ?? streamDefaults.window);
    this.heartbeatMs = o.heartbeatMs ?? streamDefaults.heartbeatMs;
    this.deadAfterMs = this.heartbeatMs * (o.missedHeartbeats ?? streamDefaults.missedHeartbeats);
    this.responses = new InboundQueue(this.window, this);
    this.socket = owner.transport.dial(node.address, this);
  }

  async open(): Promise<StreamResponse> {
    const { req, owner } = this;
    const kind = owner.method.methodKind;
    const frame: Frame = {
      type: "open",
      method: owner.config.path,
      window: this.window,
      heartbeatMs: this.heartbeatMs,
      headers: req.header,
    };
    if (this.deadline !== undefined) frame.timeoutMs = this.deadline - Date.now();
    try {
      if (kind === "server_streaming") frame.body = this.encode(await firstOf(req.messages));
      owner.picker.selector.onCallStart?.(this.node, this.selectContext);
      this.socket.send(frame);
      if (req.waitForReady) this.openFrame = frame;
    } catch (cause) {
      this.socket.close();
      throw RpcError.from(cause, Code.Unavailable);
    }
    this.lastSent = performance.now();
    heartbeats.add(this);
    if (this.deadline !== undefined) deadlines.add(this, this.deadline);
    req.signal?.addEventListener("abort", this);
    if (kind !== "server_streaming") void this.pump();
    return { stream: true, header: this.header, trailer: this.trailer, messages: this.responses };
  }

  /** Sends the request messages as credit allows, then half-closes. */
  private async pump(): Promise<void> {
    try {
      // Messages sent since the pump last left the event loop room (see the server's send loop).
      let burst = 0;
      for await (const message of this.req.messages) {
        if (this.done) return;
        const wait = this.credit.acquire();
        if (wait !== undefined) {
          burst = 0;
          await wait;
        } else if (++burst >= sendBurst) {
          burst = 0;
          await yieldToEventLoop();
        }
        if (this.done) return;
        this.send({ type: "message", body: this.encode(message) });
      }
      if (!this.done) this.send({ type: "end" });
    } catch (cause) {
      if (this.done) return;
      // The request iterable failed: the stream cannot go on.
      this.cancel(RpcError.from(cause, Code.Canceled));
    }
  }

  /**
   * Into the codec's shared slab (never written twice), not an array per
   * message: a stream frame's bytes are copied into its compact form at once,
   * and the `open` frame kept for a reopen stays valid.
   */
  private encode(message: Message): Uint8Array {
    return encodeRequestInit(this.owner.transport.maxPayload, this.owner.method.input, message);
  }

  receive(frame: Frame): void {
    if (this.done) return;
    this.lastReceived = performance.now();
    if (this.openFrame !== undefined) {
      if (frame.type === "cancel" && this.reopen(frame.error)) return;
      this.openFrame = undefined;
    }
    switch (frame.type) {
      case "message": {
        this.takeHeader(frame);
        let message: Message;
        try {
          message = decodeBinary(this.owner.method.output, frame.body ?? new Uint8Array(0));
        } catch (cause) {
          this.cancel(
            new RpcError(
              Code.Internal,
              `malformed reply: message is not a valid ${this.owner.method.output.typeName}`,
              { cause },
            ),
          );
          return;
        }
        if (!this.responses.push(message)) {
          this.cancel(new RpcError(Code.Internal, "server sent more messages than its credit"));
        }
        return;
      }
      case "end":
        this.takeHeader(frame);
        if (frame.trailers !== undefined) Object.assign(this.trailer, frame.trailers);
        this.finish(frame.error, false);
        return;
      case "credit":
        this.credit.add(frame.credit ?? 0);
        return;
      case "cancel":
        this.finish(
          frame.error ?? new RpcError(Code.Canceled, "stream canceled by the server"),
          true,
        );
        return;
      case "ping":
        return;
      default:
        this.cancel(new RpcError(Code.Internal, `malformed reply: unexpected ${frame.type} frame`));
    }
  }

  /**
   * A waitForReady stream whose `open` found no listener ("no responders":
   * right after a NATS reconnect the server may not have subscribed again)
   * sends it again a little later, within its deadline. The server never saw
   * it, and nothing but `open` and pings left before the server's first
   * frame, so this is safe. Rare, so a plain timer.
   */
  private reopen(error: RpcError | undefined): boolean {
    const frame = this.openFrame;
    if (frame === undefined || error?.code !== Code.Unavailable || !isUndelivered(error)) {
      return false;
    }
    const retryAt = Date.now() + reopenDelayMs;
    if (this.deadline !== undefined && retryAt >= this.deadline) return false;
    setTimeout(() => {
      if (this.done) return;
      const again: Frame = { ...frame };
      if (this.deadline !== undefined) again.timeoutMs = this.deadline - Date.now();
      try {
        this.socket.send(again);
      } catch (cause) {
        this.finish(RpcError.from(cause, Code.Unavailable), true);
      }
    }, reopenDelayMs);
    return true;
  }

  private takeHeader(frame: Frame): void {
    if (this.gotHeader) return;
    this.gotHeader = true;
    const h = frame.error?.metadata ?? frame.headers;
    if (h !== undefined) Object.assign(this.header, h);
  }

  grant(n: number): void {
    this.send({ type: "credit", credit: n });
  }

  /** The caller stopped reading responses: the server need not go on. */
  consumerGone(): void {
    this.cancel(new RpcError(Code.Canceled, "response stream abandoned by the caller"));
  }

  expire(): void {
    this.cancel(new RpcError(Code.DeadlineExceeded, "deadline exceeded"));
  }

  handleEvent(): void {
    this.cancel(abortError(this.req.signal));
  }

  ping(): void {
    this.send({ type: "ping" });
  }

  peerGone(): void {
    this.finish(
      new RpcError(Code.Unavailable, "server stopped answering (missed heartbeats)"),
      true,
    );
  }

  /** Tells the server (best effort) and fails the stream locally. */
  private cancel(error: RpcError): void {
    if (this.done) return;
    try {
      this.socket.send({ type: "cancel", error });
    } catch {
      // The server's heartbeat check reaps the stream.
    }
    this.finish(error, true);
  }

  private send(frame: Frame): void {
    try {
      this.socket.send(frame);
      this.lastSent = performance.now();
    } catch (cause) {
      this.finish(RpcError.from(cause, Code.Unavailable), true);
    }
  }

  private finish(error: RpcError | undefined, discard: boolean): void {
    if (this.done) return;
    this.done = true;
    this.responses.end(error, discard);
    this.credit.fail(error ?? new RpcError(Code.Canceled, "stream finished"));
    this.socket.close();
    heartbeats.remove(this);
    if (this.wheelSlot !== -1) deadlines.remove(this);
    this.req.signal?.removeEventListener("abort", this);
    const selector = this.owner.picker.selector;
    selector.onCallEnd?.(
      this.node,
      {
        code: error?.code,
        durationMs: performance.now() - this.startedAt,
        undelivered: error !== undefined && isUndelivered(error),
      },
      this.selectContext,
    );
  }
}

async function firstOf(messages: AsyncIterable<Message>): Promise<Message> {
  for await (const m of messages) return m;
  throw new RpcError(Code.InvalidArgument, "server-streaming call without a request message");
}
