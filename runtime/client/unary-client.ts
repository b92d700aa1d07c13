import type {
  DescMessage,
  DescMethod,
  DescService,
  Message,
  MessageInitShape,
} from "@bufbuild/protobuf";
import { decodeBinary } from "../codec/binary.js";
import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import { isUndelivered } from "../errors/undelivered.js";
import type { UnaryRequest, UnaryResponse } from "../interceptor.js";
import type { ServiceNode } from "../registry/registry.js";
import type { Frame, Transport } from "../transport/transport.js";
import { readsCompactCalls } from "../wire/compact-call.js";
import { abortError } from "./abort-error.js";
import { awaitConnection } from "./await-connection.js";
import { encodeRequest, encodeRequestInit } from "./encode-request.js";
import type { MethodConfig } from "./method-config.js";
import type { NodePicker } from "./node-picker.js";
import type { RetryPolicy } from "./retry-policy.js";
import type { SelectContext } from "./selector.js";
import { UnaryAttempt } from "./unary-attempt.js";
import type { UnaryLiveness } from "./unary-liveness.js";

const empty = new Uint8Array(0);

/** What a call's exchange reads of its request besides the body. */
export type CallSettings = Pick<
  UnaryRequest,
  "header" | "signal" | "timeoutMs" | "locality" | "waitForReady"
>;

/** What a fire-and-forget call "replies": an empty message. */
const noReply: Frame = Object.freeze({ type: "reply" }) as Frame;

/**
 * The innermost step of a unary call, under the interceptors: picks a node,
 * sends the request, retries as the policy says, decodes the reply.
 */
export class UnaryClient {
  private readonly selectContext: SelectContext;

  constructor(
    private readonly transport: Transport,
    private readonly picker: NodePicker,
    readonly service: DescService,
    private readonly method: DescMethod,
    private readonly config: MethodConfig,
    private readonly retry: RetryPolicy | undefined,
    /** Probing of the server during long calls; undefined: off. */
    private readonly liveness?: UnaryLiveness | undefined,
  ) {
    this.selectContext = picker.contextFor(method);
  }

  /** The call as interceptors see it: the reply's header, trailer and message. */
  call(req: UnaryRequest): Promise<UnaryResponse> {
    try {
      const body = encodeRequest(this.transport.maxPayload, this.method.input, req.message);
      return this.exchange(req, body, this.toResponse);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Only the reply's message, for calls nothing intercepts and nobody asked
   * the header or trailer of: the request is encoded from the caller's init
   * object as it is (no message made of it) and the reply costs no response
   * objects.
   */
  message(input: MessageInitShape<DescMessage>, settings: CallSettings): Promise<Message> {
    try {
      const body = encodeRequestInit(this.transport.maxPayload, this.method.input, input);
      return this.exchange(settings, body, this.decode);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private readonly toResponse = (reply: Frame): UnaryResponse => ({
    stream: false,
    header: reply.headers ?? {},
    trailer: reply.trailers ?? {},
    message: this.decode(reply),
  });

  /** Picks a node, sends the request, retries as the policy says; `done` reads the reply. */
  private async exchange<T>(
    req: CallSettings,
    body: Uint8Array,
    done: (reply: Frame) => T,
  ): Promise<T> {
    const { signal, timeoutMs } = req;
    if (signal?.aborted) throw abortError(signal);
    const deadline =
      timeoutMs !== undefined && Number.isFinite(timeoutMs) ? Date.now() + timeoutMs : undefined;
    if (timeoutMs !== undefined && timeoutMs <= 0) {
      throw new RpcError(Code.DeadlineExceeded, "deadline exceeded before the call started");
    }
    this.retry?.onCall?.(this.method);
    if (this.config.noReply) return done(await this.publish(req, body));
    const down = awaitConnection(this.transport, req.waitForReady, deadline, signal);
    if (down !== undefined) await down;
    let nodes: readonly ServiceNode[];
    try {
      // From the cache without a promise hop, so the request joins the same socket write as
      // the calls started in this turn (nats.js flushes in the first publish's microtask).
      nodes = this.picker.nodesOf(this.picker.cachedServices() ?? (await this.picker.services()));
    } catch (cause) {
      nodes = await this.lookupAgain(this.picker.lookupError(cause), req, deadline);
    }
    let context = this.picker.withLocality(this.selectContext, req.locality);
    const selector = this.picker.selector;
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) {
        const away = awaitConnection(this.transport, req.waitForReady, deadline, signal);
        if (away !== undefined) await away;
      }
      const node = this.picker.pick(nodes, context);
      selector.onCallStart?.(node, context);
      const started = selector.onCallEnd ? performance.now() : 0;
      const frame: Frame = {
        type: "call",
        method: this.config.path,
        compact: readsCompactCalls(node),
        headers: req.header,
        body,
      };
      if (deadline !== undefined) frame.timeoutMs = deadline - Date.now();
      try {
        const reply = await new UnaryAttempt(
          this.transport,
          node.address,
          signal,
          this.liveness,
          req.waitForReady === true,
        ).run(frame, deadline);
        selector.onCallEnd?.(
          node,
          { code: undefined, durationMs: performance.now() - started, undelivered: false },
          context,
        );
        return done(reply);
      } catch (cause) {
        const error = RpcError.from(cause);
        const undelivered = isUndelivered(error);
        selector.onCallEnd?.(
          node,
          { code: error.code, durationMs: performance.now() - started, undelivered },
          context,
        );
        const delay =
          this.nextDelay(error, attempt, node, undelivered, deadline) ??
          readyDelay(req.waitForReady, error, undelivered || this.config.idempotent, deadline);
        if (delay === undefined) throw error;
        // While NATS is down a retry could not be sent: this attempt's failure says more.
        if (this.transport.connected === false && req.waitForReady !== true) throw error;
        const exclude = new Set(context.exclude ?? []);
        exclude.add(node.id);
        context = { ...context, exclude };
        await sleep(delay, signal);
        // With no node left to retry on, the attempt's failure is the one to report.
        nodes = await this.picker
          .nodes()
          .catch((cause: RpcError) => this.lookupAgain(cause, req, deadline))
          .catch((): never => {
            throw error;
          });
      }
    }
  }

  /**
   * After a failed lookup, a call that waits for ready looks again every
   * 100 ms, within its deadline, while the service has no live node or the
   * registry cannot answer (after a NATS outage the registry may have expired
   * the nodes until they announce themselves again). Others fail with `error`.
   */
  private async lookupAgain(
    error: RpcError,
    req: CallSettings,
    deadline: number | undefined,
  ): Promise<readonly ServiceNode[]> {
    for (;;) {
      const waitable = error.code === Code.NotFound || error.code === Code.Unavailable;
      const delay = waitable ? readyDelay(req.waitForReady, error, true, deadline) : undefined;
      if (delay === undefined) throw error;
      await sleep(delay, req.signal);
      try {
        return this.picker.nodesOf(await this.picker.services());
      } catch (cause) {
        error = this.picker.lookupError(cause);
      }
    }
  }

  /**
   * A fire-and-forget call: resolves once the request is handed to the
   * transport, with an empty response. No deadline, no reply, no retry.
   */
  private async publish(req: CallSettings, body: Uint8Array): Promise<Frame> {
    const nodes = await this.picker.nodes();
    const node = this.picker.pick(
      nodes,
      this.picker.withLocality(this.selectContext, req.locality),
    );
    this.transport.publish(node.address, {
      type: "call",
      method: this.config.path,
      compact: readsCompactCalls(node),
      headers: req.header,
      body,
    });
    return noReply;
  }

  private nextDelay(
    error: RpcError,
    attempt: number,
    node: ServiceNode,
    undelivered: boolean,
    deadline: number | undefined,
  ): number | undefined {
    if (this.retry === undefined) return undefined;
    // The caller gave up: retrying would be work nobody waits for.
    if (error.code === Code.Canceled || error.code === Code.DeadlineExceeded) return undefined;
    const timeRemainingMs = deadline === undefined ? Infinity : deadline - Date.now();
    const delay = this.retry.nextDelayMs({
      method: this.method,
      attempt,
      error,
      node,
      idempotent: this.config.idempotent,
      undelivered,
      timeRemainingMs,
    });
    return delay !== undefined && delay < timeRemainingMs ? delay : undefined;
  }

  private readonly decode = (reply: Frame): Message => {
    try {
      return decodeBinary(this.method.output, reply.body ?? empty);
    } catch (cause) {
      throw new RpcError(
        Code.Internal,
        `malformed reply: body is not a valid ${this.method.output.typeName}`,
        { cause },
      );
    }
  };
}

/** How long a waitForReady call waits before it tries a node that had no listener again. */
const readyRetryMs = 100;

/**
 * A call that waits for ready keeps trying, within its deadline, while the
 * service has no listener: right after a NATS reconnect the server's own
 * connection may not have subscribed again yet ("no responders"). Only when
 * trying again is `safe`: the attempt never reached a server, or the method
 * is idempotent.
 */
function readyDelay(
  waitForReady: boolean | undefined,
  error: RpcError,
  safe: boolean,
  deadline: number | undefined,
): number | undefined {
  if (!waitForReady || !safe) return undefined;
  if (error.code !== Code.Unavailable && error.code !== Code.NotFound) return undefined;
  return deadline === undefined || Date.now() + readyRetryMs < deadline ? readyRetryMs : undefined;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
