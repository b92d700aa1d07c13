import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import { deadlines, type Expirable } from "../transport/deadline-wheel.js";
import type { ClientSocket, Frame, FrameReceiver, Transport } from "../transport/transport.js";
import { abortError } from "./abort-error.js";

/**
 * One request/reply exchange with one node. The object is the frame
 * receiver, the deadline-wheel entry and the abort listener at once, so a
 * call allocates no closures beyond its promise.
 */
export class UnaryAttempt implements FrameReceiver, Expirable {
  wheelSlot = -1;
  private readonly socket: ClientSocket;
  private resolve: ((frame: Frame) => void) | undefined;
  private reject: ((error: RpcError) => void) | undefined;
  private done = false;

  constructor(
    transport: Transport,
    address: string,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.socket = transport.dial(address, this);
  }

  /**
   * Sends the `call` frame and resolves with the `reply` frame, or rejects
   * with an `RpcError` (the server's, deadline, cancellation, transport).
   * `deadline` is epoch ms, or undefined for none.
   */
  run(frame: Frame, deadline: number | undefined): Promise<Frame> {
    return new Promise<Frame>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      try {
        this.socket.send(frame);
      } catch (error) {
        this.fail(RpcError.from(error, Code.Unavailable));
        return;
      }
      if (this.done) return;
      if (deadline !== undefined) deadlines.add(this, deadline);
      this.signal?.addEventListener("abort", this);
    });
  }

  receive(frame: Frame): void {
    if (this.done) return;
    if (frame.type === "reply") {
      if (frame.error !== undefined) {
        this.fail(frame.error);
        return;
      }
      this.finish();
      this.resolve?.(frame);
    } else if (frame.type === "cancel") {
      this.fail(frame.error ?? new RpcError(Code.Canceled, "call canceled by the server"));
    } else {
      this.fail(new RpcError(Code.Internal, `malformed reply: unexpected ${frame.type} frame`));
    }
  }

  expire(): void {
    this.abandon(new RpcError(Code.DeadlineExceeded, "deadline exceeded"));
  }

  /** The caller's signal aborted. */
  handleEvent(): void {
    this.abandon(abortError(this.signal));
  }

  /**
   * Gives up: tells the server why (best effort; its handler's signal aborts
   * with the same code) and fails the call.
   */
  private abandon(error: RpcError): void {
    if (this.done) return;
    try {
      this.socket.send({ type: "cancel", error });
    } catch {
      // The server learns nothing; its own deadline ends the handler.
    }
    this.fail(error);
  }

  private fail(error: RpcError): void {
    if (this.done) return;
    this.finish();
    this.reject?.(error);
  }

  private finish(): void {
    this.done = true;
    this.socket.close();
    if (this.wheelSlot !== -1) deadlines.remove(this);
    this.signal?.removeEventListener("abort", this);
  }
}
