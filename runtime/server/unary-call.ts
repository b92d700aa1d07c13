import { create, type Message } from "@bufbuild/protobuf";
import { deadlines, type Expirable } from "../call/deadline-wheel.js";
import { encodeInitWithin } from "../call/encode-message.js";
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

  /**
   * Runs the handler. A handler that answers synchronously (no interceptors)
   * is answered in the same turn: no promise, no deadline-wheel entry and no
   * registration for `cancel`/`ping` frames, which cannot arrive before the
   * call ends. Only a pending result pays for those.
   */
  run(request: Message): void {
    const entry = this.entry;
    if (entry.interceptors !== undefined) {
      void this.runIntercepted(request);
      return;
    }
    let out: unknown;
    try {
      out = (entry.handler as AnyUnaryHandler)(request as never, this.ctx);
    } catch (cause) {
      this.fail(cause);
      return;
    }
    if (!isThenable(out)) {
      this.reply(out);
      return;
    }
    this.await();
    try {
      out.then(
        (value) => this.reply(value),
        (cause: unknown) => this.fail(cause),
      );
    } catch (cause) {
      this.fail(cause); // A thenable whose `then` throws.
    }
  }

  /** A call that waits: its deadline expires it, and the client's frames reach it. */
  private await(): void {
    const deadline = this.ctx.deadline;
    if (deadline !== undefined) deadlines.add(this, deadline);
    this.socket.bind(this);
  }

  private async runIntercepted(request: Message): Promise<void> {
    this.await();
    const ctx = this.ctx;
    const entry = this.entry;
    try {
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
      this.reply(res.message);
    } catch (cause) {
      this.fail(cause);
    }
  }

  /**
   * Answers with `result`, a message or an init object, encoded without
   * `create` (a value `create` refuses fails the call with its error).
   */
  private reply(result: unknown): void {
    if (this.done) return; // answered already (deadline, cancel, shutdown): late result dropped
    try {
      const ctx = this.ctx;
      // A view into the codec's slab: the transport copies it (nats.js into its outbound buffer).
      const output = this.entry.method.output;
      const body = encodeInitWithin(this.host.maxPayload, output, result, "response");
      const frame: Frame = { type: "reply", body };
      const header = ctx.headerIfAny;
      if (header !== undefined) frame.headers = header;
      const trailer = ctx.trailerIfAny;
      if (trailer !== undefined) frame.trailers = trailer;
      this.socket.send(frame);
    } catch (cause) {
      this.fail(cause);
      return;
    }
    this.finish(undefined, undefined);
  }

  /** The handler (or encoding its result, or sending it) failed: answered with the error. */
  private fail(cause: unknown): void {
    if (this.done) return;
    const error = RpcError.from(cause);
    reportUnexpected(this.host.logger, methodPath(this.entry.method), cause, error);
    this.answer(error);
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

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}
