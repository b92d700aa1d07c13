import { deadlines, type Expirable } from "../call/deadline-wheel.js";
import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import { isUndelivered } from "../errors/undelivered.js";
import type { ClientSocket, Frame, FrameReceiver, Transport } from "../transport/transport.js";
import { abortError } from "./abort-error.js";
import { defaultLivenessMs, type UnaryLiveness } from "./unary-liveness.js";

/**
 * One request/reply exchange with one node. The object is the frame
 * receiver, the deadline-wheel entry and the abort listener at once, so a
 * call allocates no closures beyond its promise.
 *
 * Liveness rides on the same wheel entry: the attempt sits on the wheel at
 * the earlier of its deadline and its next probe time, so a call that ends
 * before the probe interval costs exactly what it did without probing (one
 * wheel add and remove, no timer). When the probe time comes first, the
 * attempt sends a `ping` on its own reply subject; the server answers `ping`
 * while it runs the call, NATS answers "no responders" when the server's
 * subscription is gone.
 */
export class UnaryAttempt implements FrameReceiver, Expirable {
  wheelSlot = -1;
  private readonly socket: ClientSocket;
  private resolve: ((frame: Frame) => void) | undefined;
  private reject: ((error: RpcError) => void) | undefined;
  private done = false;
  private deadline: number | undefined;
  /** Epoch ms of the last sign of life of the server (the call sent, a `ping` answered). */
  private lastSign = 0;
  /** Probes sent since the last sign of life. */
  private unanswered = 0;
  /** Whether any probe went out: a "no responders" after one is not about the request. */
  private probed = false;
  /** The connection is down: probes would be lost, so none is sent or counted. */
  private away = false;

  constructor(
    transport: Transport,
    private readonly address: string,
    private readonly signal: AbortSignal | undefined,
    private readonly liveness?: UnaryLiveness | undefined,
    /** Across a disconnect, wait for the reconnect rather than fail. */
    private readonly waitForReady = false,
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
      this.deadline = deadline;
      if (this.liveness === undefined) {
        if (deadline !== undefined) deadlines.add(this, deadline);
      } else {
        this.lastSign = Date.now();
        this.schedule(this.lastSign + this.liveness.intervalMs);
      }
      this.signal?.addEventListener("abort", this);
    });
  }

  receive(frame: Frame): void {
    if (this.done) return;
    if (frame.type === "ping") {
      // The server runs the call: probing starts over (the wheel entry stays
      // put; expire() moves it when it fires early).
      this.lastSign = Date.now();
      this.unanswered = 0;
      return;
    }
    if (this.probed && frame.type === "cancel") {
      this.fail(this.probeAnswer(frame.error));
      return;
    }
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

  /**
   * The wheel fired: the deadline passed, a probe is due, or the connection
   * has been down for a probe interval.
   */
  expire(): void {
    if (this.done) return;
    const now = Date.now();
    const deadline = this.deadline;
    if (deadline !== undefined && now >= deadline) {
      this.abandon(new RpcError(Code.DeadlineExceeded, "deadline exceeded"));
      return;
    }
    const liveness = this.liveness;
    if (this.away) {
      if (!this.waitForReady) {
        // Not undelivered: the server may have run the call.
        this.fail(new RpcError(Code.Unavailable, "NATS connection lost during the call"));
        return;
      }
      // Waits for the reconnect, which probes at once.
      if (liveness !== undefined) this.schedule(now + liveness.intervalMs);
      else if (deadline !== undefined) deadlines.add(this, deadline);
      return;
    }
    if (liveness === undefined) {
      // Placed by a disconnect that has passed: back to the deadline.
      if (deadline !== undefined) deadlines.add(this, deadline);
      return;
    }
    const due = this.lastSign + liveness.intervalMs;
    if (now < due) {
      // A `ping` answered since the entry was placed.
      this.schedule(due);
      return;
    }
    if (this.unanswered >= liveness.maxProbes) {
      this.abandon(
        new RpcError(
          Code.Unavailable,
          `server ${this.address} answered none of ${this.unanswered} liveness probes during the call`,
        ),
      );
      return;
    }
    this.probe(now);
  }

  /**
   * What was sent may be lost. A call that waits for ready stays until the
   * reconnect; any other fails `Unavailable` if the connection is not back
   * within a probe interval (a quick failover goes unnoticed).
   */
  disconnected(): void {
    if (this.done || this.resolve === undefined) return;
    this.away = true;
    if (!this.waitForReady) {
      const grace = Date.now() + (this.liveness?.intervalMs ?? defaultLivenessMs);
      const deadline = this.deadline;
      deadlines.add(this, deadline !== undefined && deadline < grace ? deadline : grace);
    }
  }

  /**
   * The connection is back, and the request or its answer may have been lost
   * with it (nats.js drops what it buffered): ask the server at once instead
   * of waiting for the next probe or the deadline. The server answers `ping`
   * while it runs the call; otherwise the call fails `Unavailable` (not
   * "undelivered": the server may have run it), which idempotent methods retry.
   */
  reconnected(): void {
    if (this.done || this.resolve === undefined) return;
    this.away = false;
    this.unanswered = 0;
    this.lastSign = Date.now();
    this.probe(this.lastSign);
  }

  private probe(now: number): void {
    this.unanswered++;
    this.probed = true;
    try {
      this.socket.send({ type: "ping" });
    } catch {
      // The connection is closed: the transport fails every call of it.
    }
    if (this.liveness !== undefined) this.schedule(now + this.liveness.intervalMs);
  }

  /** Puts the attempt on the wheel at `probeAt` or at its deadline, whichever is first. */
  private schedule(probeAt: number): void {
    const deadline = this.deadline;
    deadlines.add(this, deadline !== undefined && deadline < probeAt ? deadline : probeAt);
  }

  /**
   * What a `cancel` means once a probe went out. "No responders" then answers
   * the probe: NATS answers in order, and a request that found nobody would
   * have had its own answer long before the probe, an interval later. So the
   * server went away while it had the call, and may have run it: the error is
   * not "undelivered", and only idempotent methods are retried. A server that
   * does not know the call (`Aborted`: it finished and its reply was lost) is
   * just as unavailable to this call.
   */
  private probeAnswer(error: RpcError | undefined): RpcError {
    if (error === undefined) return new RpcError(Code.Canceled, "call canceled by the server");
    if (error.code === Code.Unavailable && isUndelivered(error)) {
      return new RpcError(Code.Unavailable, `server ${this.address} went away during the call`);
    }
    if (error.code === Code.Aborted) {
      return new RpcError(
        Code.Unavailable,
        `server ${this.address} does not know the call: ${error.rawMessage}`,
      );
    }
    return error;
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
