import type { DescMethod, DescService, Message } from "@bufbuild/protobuf";
import type { LocalityPreference } from "./locality/locality.js";
import type { HandlerContext } from "./server/handler-context.js";

/** What an interceptor sees of a unary call (client or server side). */
export interface UnaryRequest {
  readonly stream: false;
  readonly service: DescService;
  readonly method: DescMethod;
  /** Request headers; a client interceptor may add to them. */
  readonly header: Record<string, string>;
  /** The request message (an interceptor may replace it). */
  message: Message;
  /** Client: the caller's signal. Server: the handler's signal. */
  readonly signal: AbortSignal | undefined;
  /** Client: the call's deadline budget in ms. Server: the budget left at arrival. */
  readonly timeoutMs: number | undefined;
  /** Server side only: the handler's context. */
  readonly context: HandlerContext | undefined;
  /** Client side: the call's locality preference, if it set one. */
  readonly locality?: LocalityPreference | undefined;
  /** Client side: wait for a NATS reconnect instead of failing (see `CallOptions`). */
  readonly waitForReady?: boolean | undefined;
}

/** What an interceptor sees of a streaming call (any of the three kinds). */
export interface StreamRequest {
  readonly stream: true;
  readonly service: DescService;
  readonly method: DescMethod;
  readonly header: Record<string, string>;
  /** The request messages; wrap the iterable to see or change each one. */
  messages: AsyncIterable<Message>;
  readonly signal: AbortSignal | undefined;
  readonly timeoutMs: number | undefined;
  readonly context: HandlerContext | undefined;
  /** Client side: the call's locality preference, if it set one. */
  readonly locality?: LocalityPreference | undefined;
  /** Client side: wait for a NATS reconnect instead of failing (see `CallOptions`). */
  readonly waitForReady?: boolean | undefined;
}

export interface UnaryResponse {
  readonly stream: false;
  /** Response headers (server: may be added to before they are sent). */
  readonly header: Record<string, string>;
  readonly trailer: Record<string, string>;
  message: Message;
}

export interface StreamResponse {
  readonly stream: true;
  /** Filled in when the first response frame arrives (client side). */
  readonly header: Record<string, string>;
  /** Filled in when the stream ends (client side). */
  readonly trailer: Record<string, string>;
  /** The response messages; wrap the iterable to see or change each one. */
  messages: AsyncIterable<Message>;
}

export type AnyRequest = UnaryRequest | StreamRequest;
export type AnyResponse = UnaryResponse | StreamResponse;

/** The next step of a call: another interceptor or the call itself. */
export type AnyFn = (request: AnyRequest) => Promise<AnyResponse>;

/**
 * Middleware for clients and servers, as in Connect:
 * `(next) => async (req) => { before(req); const res = await next(req); after(res); return res; }`.
 * `req.stream` tells unary calls from streams; for streams, wrap
 * `req.messages` / `res.messages` to see each message. Throw an `RpcError`
 * to fail the call.
 */
export type Interceptor = (next: AnyFn) => AnyFn;

/** Wraps `last` in the interceptors, the first one outermost. */
export function applyInterceptors(interceptors: readonly Interceptor[], last: AnyFn): AnyFn {
  let fn = last;
  for (let i = interceptors.length - 1; i >= 0; i--) fn = (interceptors[i] as Interceptor)(fn);
  return fn;
}
