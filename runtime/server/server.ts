import { fromBinary, type Message } from "@bufbuild/protobuf";
import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import { asyncDispose } from "../lifecycle/async-dispose.js";
import type { ServiceInfo } from "../registry/registry.js";
import type { Runtime } from "../runtime.js";
import type { Acceptor, Frame, Listener, ServerSocket } from "../transport/transport.js";
import { CallContext } from "./call-context.js";
import type { MethodEntry } from "./method-table.js";
import type { CallRecord, ServerObserver } from "./observer.js";
import type { CallHost, ServerCall } from "./server-call.js";
import type { StopOptions } from "./service-options.js";
import { ServerStreamCall, type StreamSettings } from "./stream-call.js";
import { UnaryServerCall } from "./unary-call.js";
import type { ServerLogger } from "./unexpected-error.js";

/** A running server, returned by `serve`. */
export interface Server {
  /** Node id of this instance (also its `$SRV` id). */
  readonly id: string;
  /** Node address of the instance (on NATS each service has its own: `addressOf`). */
  readonly address: string;
  /** The address clients reach `service` on, e.g. `pn.svc.<package.Service>.<id>` on NATS. */
  addressOf(service: string): string;
  /**
   * Stops gracefully: deregisters, stops taking new calls (they get
   * `Unavailable`), lets calls in progress finish for up to `graceMs`, then
   * aborts the rest (answered `Unavailable`) and stops listening.
   */
  stop(options?: StopOptions): Promise<void>;
  /** `await using server = await serve(...)`: `stop()` with the default grace. */
  [Symbol.asyncDispose](): Promise<void>;
}

const empty = new Uint8Array(0);

/** Answers a call the server will not run. */
function refuse(socket: ServerSocket, unary: boolean, error: RpcError): void {
  try {
    socket.send(unary ? { type: "reply", error } : { type: "cancel", error });
  } catch {
    // Unreachable client: nothing to tell.
  }
}

/** Limits on how long a client may ask the server to wait between heartbeats. */
const minHeartbeatMs = 20;
const maxHeartbeatMs = 60_000;
const defaultGraceMs = 10_000;

/**
 * Takes pseudo connections from the listener, dispatches them to handlers
 * and keeps the books: load per service, calls in progress, observers.
 */
export class RpcServer implements Server, Acceptor, CallHost {
  listener: Listener | undefined;
  /** Run after the listener closed (e.g. the `$SRV` responder). */
  readonly cleanups: (() => Promise<void>)[] = [];
  private readonly inflight = new Set<ServerCall>();
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private drained: (() => void) | undefined;

  constructor(
    readonly id: string,
    private readonly runtime: Runtime,
    private readonly methods: Map<string, MethodEntry>,
    readonly infos: ServiceInfo[],
    private readonly observers: ServerObserver[],
    private readonly streams: { window: number; heartbeatMs: number; missedHeartbeats: number },
    readonly logger: ServerLogger | undefined,
  ) {}

  get address(): string {
    return this.listener?.address ?? "";
  }

  addressOf(service: string): string {
    return this.listener?.addressOf(service) ?? "";
  }

  get maxPayload(): number {
    return this.runtime.transport.maxPayload;
  }

  accept(frame: Frame, socket: ServerSocket): void {
    const unary = frame.type === "call";
    if (this.stopping) {
      refuse(socket, unary, new RpcError(Code.Unavailable, "server is stopping"));
      return;
    }
    if (frame.method === undefined) {
      refuse(
        socket,
        unary,
        new RpcError(Code.InvalidArgument, "request without method (Pn-Method header)"),
      );
      return;
    }
    const entry = this.methods.get(frame.method);
    if (entry === undefined) {
      refuse(
        socket,
        unary,
        new RpcError(Code.Unimplemented, `method ${frame.method} is not served here`),
      );
      return;
    }
    if ((entry.method.methodKind === "unary") !== unary) {
      const kind = entry.method.methodKind;
      refuse(
        socket,
        unary,
        new RpcError(Code.Unimplemented, `method ${frame.method} is ${kind}, not called as such`),
      );
      return;
    }
    const load = entry.load;
    if (load.inflight >= load.limit) {
      const name = entry.service.typeName;
      refuse(
        socket,
        unary,
        new RpcError(
          Code.ResourceExhausted,
          `${name} is at its limit of ${load.limit} concurrent calls`,
        ),
      );
      return;
    }
    const deadline = frame.timeoutMs === undefined ? undefined : Date.now() + frame.timeoutMs;
    const ctx = new CallContext(entry.service, entry.method, frame.headers ?? {}, deadline);
    if (unary) {
      let request: Message;
      try {
        request = fromBinary(entry.method.input, frame.body ?? empty);
      } catch (cause) {
        const type = entry.method.input.typeName;
        refuse(
          socket,
          true,
          new RpcError(Code.InvalidArgument, `request body is not a valid ${type}`, { cause }),
        );
        return;
      }
      const call = new UnaryServerCall(this, entry, socket, ctx);
      this.track(call);
      void call.run(request);
      return;
    }
    const call = new ServerStreamCall(this, entry, socket, ctx, this.streamSettings(frame));
    this.track(call);
    call.start(frame);
  }

  private streamSettings(open: Frame): StreamSettings {
    const asked = open.heartbeatMs;
    const heartbeatMs =
      asked === undefined
        ? this.streams.heartbeatMs
        : Math.min(maxHeartbeatMs, Math.max(minHeartbeatMs, asked));
    return {
      window: this.streams.window,
      heartbeatMs,
      missedHeartbeats: this.streams.missedHeartbeats,
    };
  }

  private track(call: ServerCall): void {
    this.inflight.add(call);
    call.entry.load.inflight++;
  }

  finished(
    call: ServerCall,
    startedAt: number,
    code: Code | undefined,
    message: string | undefined,
  ): void {
    if (!this.inflight.delete(call)) return;
    call.entry.load.inflight--;
    if (this.observers.length > 0) {
      const record: CallRecord = {
        service: call.entry.service.typeName,
        method: call.entry.method.name,
        durationNs: Math.round((performance.now() - startedAt) * 1e6),
        code,
        errorMessage: message,
      };
      for (const o of this.observers) {
        try {
          o.callFinished(record);
        } catch {
          // Observers must not throw; one that does must not break the call.
        }
      }
    }
    if (this.inflight.size === 0) this.drained?.();
  }

  [asyncDispose](): Promise<void> {
    return this.stop();
  }

  stop(options: StopOptions = {}): Promise<void> {
    this.stopped ??= this.shutdown(options.graceMs ?? defaultGraceMs);
    return this.stopped;
  }

  private async shutdown(graceMs: number): Promise<void> {
    // Out of discovery first, so clients stop picking this node.
    await Promise.all(
      this.infos.map((info) => this.runtime.registry.deregister(info).catch(() => undefined)),
    );
    await this.listener?.stopEndpoints();
    this.stopping = true;
    if (this.inflight.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        this.drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const error = new RpcError(Code.Unavailable, "server stopped before the call finished");
    for (const call of [...this.inflight]) call.shutdown(error);
    await this.listener?.close();
    for (const cleanup of this.cleanups) await cleanup().catch(() => undefined);
  }
}
