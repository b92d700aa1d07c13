import {
  create,
  type DescMessage,
  type DescMethod,
  type DescService,
  type Message,
  type MessageInitShape,
} from "@bufbuild/protobuf";
import { LocalitySelector } from "../balancing/locality-selector.js";
import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import {
  type AnyFn,
  type AnyRequest,
  applyInterceptors,
  type StreamResponse,
  type UnaryRequest,
  type UnaryResponse,
} from "../interceptor.js";
import { methodKey } from "../naming.js";
import { StandardRetryPolicy } from "../retry/standard-retry-policy.js";
import { type RuntimeLike, resolveRuntime } from "../runtime.js";
import type { Client } from "../service-types.js";
import type { CallOptions } from "./call-options.js";
import type { ClientOptions } from "./client-options.js";
import { methodConfig } from "./method-config.js";
import { NodePicker } from "./node-picker.js";
import { RequestMessages } from "./request-messages.js";
import { mergeHeaders } from "./reserved-headers.js";
import { ResponseStream } from "./response-stream.js";
import { StreamClient } from "./stream-client.js";
import { checkStreamOptions } from "./stream-options.js";
import { type CallSettings, UnaryClient } from "./unary-client.js";
import { unaryLiveness } from "./unary-liveness.js";

/** Default deadline of a call: 30 seconds. */
export const defaultTimeoutMs = 30_000;

/**
 * A typed client for `service`: one method per RPC, keyed by `methodKey`.
 * Each call looks the service up in the runtime's registry (cached there),
 * picks a node with the selector (nearest nodes first, round robin with outlier ejection, by
 * default), retries as the retry policy allows (`StandardRetryPolicy` by
 * default) and calls the node with a deadline: `options.timeoutMs` of the
 * call, else the method's `(protonats.v1.method).timeout_ms`, else the
 * client's, else 30 s.
 */
export function createClient<S extends DescService>(
  service: S,
  runtime: RuntimeLike,
  options: ClientOptions = {},
): Client<S> {
  checkStreamOptions(options);
  const rt = resolveRuntime(runtime);
  const selector = options.selector ?? new LocalitySelector();
  // One policy per client by default, so that its retry budget is per client.
  const resolved: ClientOptions = { ...options, retry: options.retry ?? new StandardRetryPolicy() };
  const lookup = {
    ...(options.version !== undefined && { version: options.version }),
    ...(options.nodeMetadata !== undefined && { metadata: options.nodeMetadata }),
  };
  const picker = new NodePicker(
    rt.registry,
    service,
    selector,
    lookup,
    rt.locality,
    options.locality,
  );
  const client: Record<string, unknown> = {};
  for (const method of service.methods) {
    client[methodKey(method)] = methodCaller(service, method, rt.transport, picker, resolved);
  }
  return client as Client<S>;
}

type Transport = ReturnType<typeof resolveRuntime>["transport"];

function methodCaller(
  service: DescService,
  method: DescMethod,
  transport: Transport,
  picker: NodePicker,
  options: ClientOptions,
): (input: unknown, callOptions?: CallOptions) => unknown {
  const config = methodConfig(method);
  const interceptors = options.interceptors ?? [];
  const timeoutFor = (call: CallOptions | undefined): number =>
    call?.timeoutMs ?? config.timeoutMs ?? options.timeoutMs ?? defaultTimeoutMs;

  if (method.methodKind === "unary") {
    const liveness = unaryLiveness(options);
    const unary = new UnaryClient(
      transport,
      picker,
      service,
      method,
      config,
      options.retry,
      liveness,
    );
    const last: AnyFn = (req) => unary.call(req as Extract<AnyRequest, { stream: false }>);
    const chain = applyInterceptors(interceptors, last);
    const intercepted = interceptors.length > 0;
    // Headers are writable only where interceptors may add to them.
    const settings = (call: CallOptions | undefined): CallSettings => ({
      header: mergeHeaders(options.headers, call?.headers, intercepted),
      signal: call?.signal,
      timeoutMs: timeoutFor(call),
      locality: call?.locality,
      waitForReady: call?.waitForReady ?? options.waitForReady,
    });
    const request = (input: unknown, call: CallOptions | undefined): UnaryRequest => ({
      ...settings(call),
      stream: false,
      service,
      method,
      message: create(method.input, input as Message),
      context: undefined,
    });
    return (input: unknown, call?: CallOptions): Promise<Message> => {
      try {
        // Nothing intercepts and nobody asked for header or trailer: the request
        // goes out encoded from the caller's object, the reply's message as it is.
        if (!intercepted && call?.onHeader === undefined && call?.onTrailer === undefined) {
          return unary.message(input as MessageInitShape<DescMessage>, settings(call));
        }
        const req = request(input, call);
        return (chain(req) as Promise<UnaryResponse>).then((res) => {
          call?.onHeader?.(res.header);
          call?.onTrailer?.(res.trailer);
          return res.message;
        });
      } catch (error) {
        // Refused before anything was sent (bad headers, bad input): a rejection, as for any failure.
        return Promise.reject(error);
      }
    };
  }

  const streams = new StreamClient(transport, picker, service, method, config, options);
  const last: AnyFn = (req) => streams.open(req as Extract<AnyRequest, { stream: true }>);
  const chain = applyInterceptors(interceptors, last);
  // Streams have no default deadline (heartbeats find dead peers); only an
  // explicit one from the call, the method option or the client applies.
  const streamTimeout = (call: CallOptions | undefined): number =>
    call?.timeoutMs ?? config.timeoutMs ?? options.timeoutMs ?? Infinity;
  const start = (messages: AsyncIterable<Message>, call: CallOptions | undefined) => {
    const response = chain({
      stream: true,
      service,
      method,
      header: mergeHeaders(options.headers, call?.headers),
      messages,
      signal: call?.signal,
      timeoutMs: streamTimeout(call),
      context: undefined,
      locality: call?.locality,
      waitForReady: call?.waitForReady ?? options.waitForReady,
    }) as Promise<StreamResponse>;
    // The stream opens now; a failure surfaces when the caller iterates, and
    // must not count as unhandled if the caller never does.
    response.catch(() => undefined);
    return response;
  };

  if (method.methodKind === "server_streaming") {
    return (input: unknown, call?: CallOptions) =>
      new ResponseStream(start(single(create(method.input, input as Message)), call), call);
  }
  const requests = (input: unknown) => new RequestMessages(method, input);
  if (method.methodKind === "client_streaming") {
    return async (input: unknown, call?: CallOptions): Promise<Message> => {
      let last: Message | undefined;
      for await (const m of new ResponseStream(start(requests(input), call), call)) last = m;
      if (last === undefined) {
        throw new RpcError(
          Code.Internal,
          "malformed reply: client stream ended without a response",
        );
      }
      return last;
    };
  }
  return (input: unknown, call?: CallOptions) =>
    new ResponseStream(start(requests(input), call), call);
}

async function* single(message: Message): AsyncIterable<Message> {
  yield message;
}
