import { create, type Message } from "@bufbuild/protobuf";
import { deadlines, type Expirable } from "../call/deadline-wheel.js";
import { encodeInitWithin } from "../call/encode-message.js";
import {
  InboundQueue,
  type QueueOwner,
  SendCredit,
  yieldToEventLoop,
} from "../call/flow-control.js";
import { type Heartbeating, heartbeats } from "../call/heartbeat-monitor.js";
import { sendBurst } from "../call/limits.js";
import { methodPath } from "../client/method-config.js";
import { decodeBinary } from "../codec/binary.js";
import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import { applyInterceptors, type StreamRequest, type StreamResponse } from "../interceptor.js";
import type { Frame, FrameReceiver, ServerSocket } from "../transport/transport.js";
import type { CallContext } from "./call-context.js";
import type { MethodEntry } from "./method-table.js";
import type { CallHost, ServerCall } from "./server-call.js";
import { reportUnexpected } from "./unexpected-error.js";

/** Stream settings the server applies: its window, and the heartbeat agreed with the client. */
export interface StreamSettings {
  readonly window: number;
  readonly heartbeatMs: number;
  readonly missedHeartbeats: number;
  /** Most response credit the client may hold out (its window and grants are capped to it). */
  readonly maxCredit: number;
}

type AnyHandler = (input: unknown, ctx: CallContext) => unknown;

/** Header objects of a response nobody intercepts: the send loop reads the context's own. */
const unused: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * One streaming call on the server (any kind). Requests arrive in a credit
 * bounded queue; responses leave only with credit from the client; pings
 * keep an idle stream alive and a silent client is reaped after the agreed
 * number of heartbeat intervals.
 */
export class ServerStreamCall
  implements ServerCall, FrameReceiver, Expirable, Heartbeating, QueueOwner
{
  wheelSlot = -1;
  /** The client connection the stream counts against (see `ServerSocket.connection`). */
  connection: string | undefined;
  lastSent = performance.now();
  lastReceived = performance.now();
  readonly heartbeatMs: number;
  readonly deadAfterMs: number;
  private readonly startedAt = performance.now();
  private readonly credit: SendCredit;
  private readonly requests: InboundQueue<Message>;
  private headerSent = false;
  private done = false;

  constructor(
    private readonly host: CallHost,
    readonly entry: MethodEntry,
    private readonly socket: ServerSocket,
    private readonly ctx: CallContext,
    private readonly settings: StreamSettings,
  ) {
    this.heartbeatMs = settings.heartbeatMs;
    this.deadAfterMs = settings.heartbeatMs * settings.missedHeartbeats;
    this.requests = new InboundQueue(settings.window, this);
    this.credit = new SendCredit(settings.maxCredit);
  }

  /** Starts the stream from its `open` frame. */
  start(open: Frame): void {
    this.credit.add(open.window ?? 1);
    this.socket.bind(this);
    heartbeats.add(this);
    if (this.ctx.deadline !== undefined) deadlines.add(this, this.ctx.deadline);
    const kind = this.entry.method.methodKind;
    if (kind === "server_streaming") {
      // The one request travels in the open frame.
      if (!this.acceptMessage(open.body)) return;
      this.requests.end();
    } else {
      this.send({ type: "credit", credit: this.settings.window });
      if (this.done) return;
    }
    void this.run();
  }

  private async run(): Promise<void> {
    const entry = this.entry;
    const ctx = this.ctx;
    const intercepted = entry.interceptors !== undefined;
    try {
      const req: StreamRequest = {
        stream: true,
        service: entry.service,
        method: entry.method,
        header: ctx.requestHeader as Record<string, string>,
        messages: this.requests,
        // Reading ctx.signal makes an AbortController: only for interceptors, which may use it.
        signal: intercepted ? ctx.signal : undefined,
        timeoutMs: ctx.deadline === undefined ? undefined : ctx.timeRemaining(),
        context: ctx,
      };
      const messages = intercepted
        ? (
            (await applyInterceptors(entry.interceptors ?? [], (r) =>
              this.invoke(r as StreamRequest, true),
            )(req)) as StreamResponse
          ).messages
        : (await this.invoke(req, false)).messages;
      const output = entry.method.output;
      // Messages sent since the loop last left the event loop room.
      let burst = 0;
      for await (const message of messages) {
        if (this.done) return;
        const wait = this.credit.acquire();
        if (wait !== undefined) {
          burst = 0;
          await wait; // Credit arrives with I/O: the event loop ran meanwhile.
        } else if (++burst >= sendBurst) {
          burst = 0;
          await yieldToEventLoop();
        }
        if (this.done) return;
        // Handlers may yield plain objects: encoded as they are, without `create`
        // (the bytes leave at once, so a view into the codec's slab will do).
        const body = encodeInitWithin(this.host.maxPayload, output, message, "response message");
        this.send({ type: "message", body, headers: this.takeHeader() });
      }
      if (this.done) return;
      this.send({ type: "end", headers: this.takeHeader(), trailers: ctx.trailerIfAny });
      this.finish(undefined, undefined);
    } catch (cause) {
      if (this.done) return;
      const error = RpcError.from(cause);
      reportUnexpected(this.host.logger, methodPath(this.entry.method), cause, error);
      this.send({ type: "end", error, headers: this.takeHeader(), trailers: ctx.trailerIfAny });
      this.finish(error.code, error.rawMessage);
    }
  }

  /**
   * The innermost step: calls the handler in the shape of its kind. For
   * interceptors (`asMessages`) the responses are made messages first, as
   * `StreamResponse` promises; otherwise the send loop does that itself and
   * an idle stream holds no extra generator.
   */
  private async invoke(r: StreamRequest, asMessages: boolean): Promise<StreamResponse> {
    const ctx = this.ctx;
    const handler = this.entry.handler as AnyHandler;
    const output = this.entry.method.output;
    let messages: AsyncIterable<Message>;
    switch (this.entry.method.methodKind) {
      case "server_streaming": {
        const first = await firstOf(r.messages);
        messages = handler(first, ctx) as AsyncIterable<Message>;
        break;
      }
      case "client_streaming": {
        const reply = await (handler(r.messages, ctx) as Promise<unknown>);
        messages = once(create(output, reply as never));
        break;
      }
      default:
        messages = handler(r.messages, ctx) as AsyncIterable<Message>;
    }
    if (asMessages && this.entry.method.methodKind !== "client_streaming") {
      messages = created(output, messages);
    }
    if (!asMessages) return { stream: true, header: unused, trailer: unused, messages };
    return { stream: true, header: ctx.responseHeader, trailer: ctx.responseTrailer, messages };
  }

  receive(frame: Frame): void {
    if (this.done) return;
    this.lastReceived = performance.now();
    switch (frame.type) {
      case "message":
        this.acceptMessage(frame.body);
        break;
      case "end":
        this.requests.end();
        break;
      case "credit":
        this.credit.add(frame.credit ?? 0);
        break;
      case "cancel": {
        // The client says why (deadline, cancellation); the handler's signal tells the same.
        const error = frame.error ?? new RpcError(Code.Canceled, "stream canceled by the client");
        this.ctx.abort(error);
        this.finish(error.code, error.rawMessage);
        break;
      }
      case "ping":
        break;
      default:
        this.shutdown(
          new RpcError(Code.InvalidArgument, `unexpected ${frame.type} frame in a stream`),
        );
    }
  }

  /** Decodes and queues a request; fails the stream on garbage or a credit violation. */
  private acceptMessage(body: Uint8Array | undefined): boolean {
    let message: Message;
    try {
      message = decodeBinary(this.entry.method.input, body ?? new Uint8Array(0));
    } catch (cause) {
      this.shutdown(
        new RpcError(
          Code.InvalidArgument,
          `request message is not a valid ${this.entry.method.input.typeName}`,
          { cause },
        ),
      );
      return false;
    }
    if (!this.requests.push(message)) {
      this.shutdown(
        new RpcError(Code.ResourceExhausted, "client sent more messages than its credit"),
      );
      return false;
    }
    return true;
  }

  grant(n: number): void {
    this.send({ type: "credit", credit: n });
  }

  consumerGone(): void {
    // The handler stopped reading requests; it may still answer. Nothing to do.
  }

  expire(): void {
    this.shutdown(new RpcError(Code.DeadlineExceeded, "deadline exceeded"), "end");
  }

  ping(): void {
    this.send({ type: "ping" });
  }

  /** The client stopped answering: reap the stream so nothing leaks. */
  peerGone(): void {
    if (this.done) return;
    const error = new RpcError(
      Code.Unavailable,
      "client vanished (missed heartbeats); stream reaped",
    );
    this.ctx.abort(error);
    this.finish(error.code, error.rawMessage);
  }

  shutdown(error: RpcError, as: "cancel" | "end" = "cancel"): void {
    if (this.done) return;
    this.ctx.abort(error);
    this.send({ type: as, error });
    this.finish(error.code, error.rawMessage);
  }

  /** Response headers go with the first frame that leaves after the handler started. */
  private takeHeader(): Record<string, string> | undefined {
    if (this.headerSent) return undefined;
    this.headerSent = true;
    return this.ctx.headerIfAny;
  }

  private send(frame: Frame): void {
    try {
      this.socket.send(frame);
      this.lastSent = performance.now();
    } catch (cause) {
      if (this.done) return;
      const error = RpcError.from(cause, Code.Unavailable);
      this.ctx.abort(error);
      // Unavailable: the client cannot be reached, nothing more can be said to it.
      // Anything else is this frame that could not be sent (a header NATS cannot
      // carry, a message over max_payload) while the connection works: say so.
      if (error.code !== Code.Unavailable) this.sendBareEnd(error);
      this.finish(error.code, error.rawMessage);
    }
  }

  /** Ends the stream with `error` alone, without the headers that may be what failed. */
  private sendBareEnd(error: RpcError): void {
    try {
      this.socket.send({ type: "end", error });
    } catch {
      // Not even a bare end can leave: the client's heartbeats will tell it.
    }
  }

  private finish(code: Code | undefined, message: string | undefined): void {
    if (this.done) return;
    this.done = true;
    const ended = new RpcError(code ?? Code.Canceled, message ?? "stream finished");
    this.requests.end(ended, true);
    this.credit.fail(ended);
    heartbeats.remove(this);
    if (this.wheelSlot !== -1) deadlines.remove(this);
    this.socket.close();
    this.host.finished(this, this.startedAt, code, message);
  }
}

async function firstOf(messages: AsyncIterable<Message>): Promise<Message> {
  for await (const m of messages) return m;
  throw new RpcError(Code.InvalidArgument, "server-streaming call without a request message");
}

async function* once(message: Message): AsyncIterable<Message> {
  yield message;
}

async function* created(
  schema: StreamRequest["method"]["output"],
  messages: AsyncIterable<unknown>,
): AsyncIterable<Message> {
  for await (const m of messages) yield create(schema, m as never);
}
