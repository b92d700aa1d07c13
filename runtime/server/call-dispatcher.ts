import type { Message } from "@bufbuild/protobuf";
import type { ServerLimits } from "../call/limits.js";
import { decodeBinary } from "../codec/binary.js";
import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import type { Acceptor, Frame, ServerSocket } from "../transport/transport.js";
import { CallContext } from "./call-context.js";
import type { MethodEntry } from "./method-table.js";
import type { CallRecord, ServerObserver } from "./observer.js";
import type { CallHost, ServerCall } from "./server-call.js";
import { ServerStreamCall, type StreamSettings } from "./stream-call.js";
import { UnaryServerCall } from "./unary-call.js";
import type { ServerLogger } from "./unexpected-error.js";

const empty = new Uint8Array(0);

/** Answers a call the server will not run. */
function refuse(socket: ServerSocket, unary: boolean, error: RpcError): void {
  try {
    socket.send(unary ? { type: "reply", error } : { type: "cancel", error });
  } catch {
    // Unreachable client: nothing to tell.
  }
}

/** What a dispatcher needs besides its method table; `serve` builds it from its options. */
export interface DispatcherSettings {
  /** Stream window and heartbeats the server uses unless a client's open frame says otherwise. */
  readonly streams: { window: number; heartbeatMs: number; missedHeartbeats: number };
  readonly limits: ServerLimits;
  readonly observers: readonly ServerObserver[];
  readonly logger: ServerLogger | undefined;
  /** Largest frame the transport sends (its `maxPayload`), read when a response is encoded. */
  readonly maxPayload: () => number;
}

/**
 * Takes pseudo connections from a listener, dispatches them to handlers and
 * keeps the books: load per method, calls and streams in progress,
 * observers. Exists before the listener, which hands it every new call.
 */
export class CallDispatcher implements Acceptor, CallHost {
  readonly logger: ServerLogger | undefined;
  private readonly observers: ServerObserver[];
  private readonly streams: DispatcherSettings["streams"];
  private readonly limits: ServerLimits;
  private readonly payloadLimit: () => number;
  private readonly inflight = new Set<ServerCall>();
  /** Streams open per client connection (see `ServerSocket.connection`). */
  private readonly streamsByClient = new Map<string, number>();
  private openStreams = 0;
  private stopping = false;
  private drained: (() => void) | undefined;

  constructor(
    private readonly methods: ReadonlyMap<string, MethodEntry>,
    settings: DispatcherSettings,
  ) {
    this.streams = settings.streams;
    this.limits = settings.limits;
    this.observers = [...settings.observers];
    this.logger = settings.logger;
    this.payloadLimit = settings.maxPayload;
  }

  get maxPayload(): number {
    return this.payloadLimit();
  }

  /** Adds an observer of every finished call (a runtime's server extension, e.g. `$SRV` STATS). */
  observe(observer: ServerObserver): void {
    this.observers.push(observer);
  }

  accept(frame: Frame, socket: ServerSocket): void {
    const unary = frame.type === "call";
    const entry = frame.method === undefined ? undefined : this.methods.get(frame.method);
    const refusal = this.refusal(frame, entry, unary, socket);
    if (refusal !== undefined) {
      refuse(socket, unary, refusal);
      this.refused(entry, refusal);
      return;
    }
    if (entry === undefined) return; // A refusal was given above.
    const deadline = frame.timeoutMs === undefined ? undefined : Date.now() + frame.timeoutMs;
    const ctx = new CallContext(entry.service, entry.method, frame.headers, deadline);
    if (unary) {
      let request: Message;
      try {
        request = decodeBinary(entry.method.input, frame.body ?? empty);
      } catch (cause) {
        const type = entry.method.input.typeName;
        const error = new RpcError(Code.InvalidArgument, `request body is not a valid ${type}`, {
          cause,
        });
        refuse(socket, true, error);
        this.refused(entry, error);
        return;
      }
      const call = new UnaryServerCall(this, entry, socket, ctx);
      this.track(call);
      call.run(request);
      return;
    }
    const call = new ServerStreamCall(this, entry, socket, ctx, this.streamSettings(frame));
    this.track(call);
    this.countStream(call, socket.connection);
    call.start(frame);
  }

  /** Why a new call is not run, or undefined when it may run. */
  private refusal(
    frame: Frame,
    entry: MethodEntry | undefined,
    unary: boolean,
    socket: ServerSocket,
  ): RpcError | undefined {
    if (this.stopping) return new RpcError(Code.Unavailable, "server is stopping");
    if (frame.method === undefined) {
      return new RpcError(Code.InvalidArgument, "request without method (Pn-Method header)");
    }
    if (entry === undefined) {
      return new RpcError(Code.Unimplemented, `method ${frame.method} is not served here`);
    }
    if ((entry.method.methodKind === "unary") !== unary) {
      const kind = entry.method.methodKind;
      return new RpcError(
        Code.Unimplemented,
        `method ${frame.method} is ${kind}, not called as such`,
      );
    }
    if (frame.timeoutMs !== undefined && frame.timeoutMs <= 0) {
      return new RpcError(Code.DeadlineExceeded, "deadline exceeded before the call arrived");
    }
    const load = entry.load;
    if (load.inflight >= load.limit) {
      const name = entry.service.typeName;
      return new RpcError(
        Code.ResourceExhausted,
        `${name} is at its limit of ${load.limit} concurrent calls`,
      );
    }
    if (!unary) {
      const limits = this.limits;
      if (this.openStreams >= limits.maxStreams) {
        return new RpcError(
          Code.ResourceExhausted,
          `server is at its limit of ${limits.maxStreams} open streams`,
        );
      }
      const client = socket.connection;
      if (
        client !== undefined &&
        (this.streamsByClient.get(client) ?? 0) >= limits.maxStreamsPerClient
      ) {
        return new RpcError(
          Code.ResourceExhausted,
          `client connection is at its limit of ${limits.maxStreamsPerClient} open streams`,
        );
      }
    }
    return undefined;
  }

  /**
   * A call refused before its handler ran counts as a failed call of its
   * method (observers, `$SRV.STATS`) when the method is known.
   */
  refused(entry: MethodEntry | string | undefined, error: RpcError): void {
    if (entry === undefined || this.observers.length === 0) return;
    const known = typeof entry === "string" ? this.methods.get(entry) : entry;
    if (known === undefined) return;
    this.report({
      service: known.service.typeName,
      method: known.method.name,
      durationNs: 0,
      code: error.code,
      errorMessage: error.rawMessage,
    });
  }

  private countStream(call: ServerStreamCall, client: string | undefined): void {
    this.openStreams++;
    call.connection = client;
    if (client !== undefined) {
      this.streamsByClient.set(client, (this.streamsByClient.get(client) ?? 0) + 1);
    }
  }

  private uncountStream(call: ServerStreamCall): void {
    this.openStreams--;
    const client = call.connection;
    if (client === undefined) return;
    const n = (this.streamsByClient.get(client) ?? 1) - 1;
    if (n <= 0) this.streamsByClient.delete(client);
    else this.streamsByClient.set(client, n);
  }

  private streamSettings(open: Frame): StreamSettings {
    const limits = this.limits;
    const asked = open.heartbeatMs ?? this.streams.heartbeatMs;
    const heartbeatMs = Math.min(limits.maxHeartbeatMs, Math.max(limits.minHeartbeatMs, asked));
    return {
      window: this.streams.window,
      heartbeatMs,
      missedHeartbeats: this.streams.missedHeartbeats,
      maxCredit: limits.maxWindow,
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
    if (call instanceof ServerStreamCall) this.uncountStream(call);
    if (this.observers.length > 0) {
      this.report({
        service: call.entry.service.typeName,
        method: call.entry.method.name,
        durationNs: Math.round((performance.now() - startedAt) * 1e6),
        code,
        errorMessage: message,
      });
    }
    if (this.inflight.size === 0) this.drained?.();
  }

  private report(record: CallRecord): void {
    for (const o of this.observers) {
      try {
        o.callFinished(record);
      } catch {
        // Observers must not throw; one that does must not break the call.
      }
    }
  }

  /** From now on new calls are refused `Unavailable`. */
  stopAccepting(): void {
    this.stopping = true;
  }

  /** Resolves when no call is in progress, or after `graceMs`. */
  async drain(graceMs: number): Promise<void> {
    if (this.inflight.size === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, graceMs);
      this.drained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Ends every call still in progress with `error`. */
  abortAll(error: RpcError): void {
    for (const call of [...this.inflight]) call.shutdown(error);
  }
}
