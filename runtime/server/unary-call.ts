import { create, type Message } from "@bufbuild/protobuf";
import { deadlines, type Expirable } from "../call/deadline-wheel.js";
import { encodeWithin } from "../call/encode-message.js";
import { methodPath } from "../client/method-config.js";
import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import type { UnaryRequest, UnaryResponse } from "../interceptor.js";
import type { UnaryHandler } from "../service-types.js";
import type { Frame, FrameReceiver, ServerSocket } from "../transport/transport.js";
import type { CallContext } from "./call-context.js";
import { chainFor, type MethodEntry } from "./method-table.js";
import type { CallHost, ServerCall } from "./server-call.js";
import { reportUnexpected } from "./unexpected-error.js";

type AnyUnaryHandler = UnaryHandler<never, never>;

/**
 * One unary call on the server. The object is also the deadline-wheel entry
 * and the receiver of a client's `cancel`, so the call costs no closures.
 */
export class UnaryServerCall implements ServerCall, FrameReceiver, Expirable {
  wheelSlot = -1;
  private done = false;
  private readonly startedAt = performance.now();

  constructor(
    private readonly host: CallHost,
    readonly entry: MethodEntry,
    private readonly socket: ServerSocket,
    private readonly ctx: CallContext,
  ) {}

  async run(request: Message): Promise<void> {
    const ctx = this.ctx;
    if (ctx.deadline !== undefined) deadlines.add(this, ctx.deadline);
    this.socket.bind(this);
    try {
      let result: Message;
      const entry = this.entry;
      if (entry.interceptors === undefined) {
        const out = await (entry.handler as AnyUnaryHandler)(request as never, ctx);
        result = create(entry.method.output, out as never);
      } else {
        const res = (await chainFor(entry, (req) => this.invoke(req as UnaryRequest))({
          stream: false,
          service: entry.service,
          method: entry.method,
          header: ctx.requestHeader as Record<string, string>,
          message: request,
          signal: ctx.signal,
          timeoutMs: ctx.deadline === undefined ? undefined : ctx.timeRemaining(),
          context: ctx,
        })) as UnaryResponse;
        result = res.message;
      }
      if (this.done) return; // answered already (deadline, cancel, shutdown): late result dropped
      const body = encodeWithin(this.host.maxPayload, entry.method.output, result, "response");
      const frame: Frame = { type: "reply", body };
      const header = ctx.headerIfAny;
      if (header !== undefined) frame.headers = header;
      const trailer = ctx.trailerIfAny;
      if (trailer !== undefined) frame.trailers = trailer;
      this.socket.send(frame);
      this.finish(undefined, undefined);
    } catch (cause) {
      if (this.done) return;
      const error = RpcError.from(cause);
      reportUnexpected(this.host.logger, methodPath(this.entry.method), cause, error);
      this.answer(error);
    }
  }

  private async invoke(req: UnaryRequest): Promise<UnaryResponse> {
    const ctx = this.ctx;
    const out = await (this.entry.handler as AnyUnaryHandler)(req.message as never, ctx);
    return {
      stream: false,
      header: ctx.responseHeader,
      trailer: ctx.responseTrailer,
      message: create(this.entry.method.output, out as never),
    };
  }

  /**
   * A unary call's client sends `cancel`, and `ping` to check that this
   * server still runs the call (answered at once: a sign of life).
   */
  receive(frame: Frame): void {
    if (this.done) return;
    if (frame.type === "ping") {
      try {
        this.socket.send({ type: "ping" });
      } catch {
        // The connection is gone: the client's next probes go unanswered.
      }
      return;
    }
    if (frame.type !== "cancel") return;
    // The client says why (deadline, cancellation); the handler's signal tells the same.
    const error = frame.error ?? new RpcError(Code.Canceled, "call canceled by the client");
    this.ctx.abort(error);
    this.finish(error.code, error.rawMessage);
  }

  expire(): void {
    this.shutdown(new RpcError(Code.DeadlineExceeded, "deadline exceeded"));
  }

  shutdown(error: RpcError): void {
    if (this.done) return;
    this.ctx.abort(error);
    this.answer(error);
  }

  /** Replies with an error; a reply that cannot be sent is only recorded. */
  private answer(error: RpcError): void {
    try {
      this.socket.send({
        type: "reply",
        error,
        headers: this.ctx.headerIfAny,
        trailers: this.ctx.trailerIfAny,
      });
    } catch {
      try {
        // Headers the handler set may be what failed (a name NATS cannot carry).
        this.socket.send({ type: "reply", error });
      } catch {
        // The connection is gone: the client's deadline tells it.
      }
    }
    this.finish(error.code, error.rawMessage);
  }

  private finish(code: Code | undefined, message: string | undefined): void {
    this.done = true;
    if (this.wheelSlot !== -1) deadlines.remove(this);
    this.socket.close();
    this.host.finished(this, this.startedAt, code, message);
  }
}
