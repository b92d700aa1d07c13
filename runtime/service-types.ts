/**
 * The shapes of clients and handlers for any service descriptor. Generated code
 * spells these out as named interfaces with documentation; these mapped types
 * are what the generic runtime returns and accepts, and the generated
 * interfaces are checked to be assignable to and from them.
 */
import type {
  DescMessage,
  DescMethodBiDiStreaming,
  DescMethodClientStreaming,
  DescMethodServerStreaming,
  DescMethodUnary,
  MessageInitShape,
  MessageShape,
} from "@bufbuild/protobuf";
import type { GenService, GenServiceMethods } from "@bufbuild/protobuf/codegenv2";
import type { CallOptions } from "./client/call-options.js";
import type { HandlerContext } from "./server/handler-context.js";

/** Names escaped with a `$` suffix; the same list as `unsafeMethodKeys` in naming.ts. */
type UnsafeKey =
  | "then"
  | "__proto__"
  | "hasOwnProperty"
  | "isPrototypeOf"
  | "propertyIsEnumerable"
  | "toLocaleString"
  | "__defineGetter__"
  | "__defineSetter__"
  | "__lookupGetter__"
  | "__lookupSetter__";
type SafeKey<K> = K extends UnsafeKey ? `${K}$` : K;

export type UnaryCall<I extends DescMessage, O extends DescMessage> = (
  request: MessageInitShape<I>,
  options?: CallOptions,
) => Promise<MessageShape<O>>;
export type ServerStreamingCall<I extends DescMessage, O extends DescMessage> = (
  request: MessageInitShape<I>,
  options?: CallOptions,
) => AsyncIterable<MessageShape<O>>;
export type ClientStreamingCall<I extends DescMessage, O extends DescMessage> = (
  requests: AsyncIterable<MessageInitShape<I>>,
  options?: CallOptions,
) => Promise<MessageShape<O>>;
export type BiDiStreamingCall<I extends DescMessage, O extends DescMessage> = (
  requests: AsyncIterable<MessageInitShape<I>>,
  options?: CallOptions,
) => AsyncIterable<MessageShape<O>>;

export type UnaryHandler<I extends DescMessage, O extends DescMessage> = (
  request: MessageShape<I>,
  context: HandlerContext,
) => Promise<MessageInitShape<O>> | MessageInitShape<O>;
export type ServerStreamingHandler<I extends DescMessage, O extends DescMessage> = (
  request: MessageShape<I>,
  context: HandlerContext,
) => AsyncIterable<MessageInitShape<O>>;
export type ClientStreamingHandler<I extends DescMessage, O extends DescMessage> = (
  requests: AsyncIterable<MessageShape<I>>,
  context: HandlerContext,
) => Promise<MessageInitShape<O>>;
export type BiDiStreamingHandler<I extends DescMessage, O extends DescMessage> = (
  requests: AsyncIterable<MessageShape<I>>,
  context: HandlerContext,
) => AsyncIterable<MessageInitShape<O>>;

type ClientMethod<M> =
  M extends DescMethodUnary<infer I, infer O>
    ? UnaryCall<I, O>
    : M extends DescMethodServerStreaming<infer I, infer O>
      ? ServerStreamingCall<I, O>
      : M extends DescMethodClientStreaming<infer I, infer O>
        ? ClientStreamingCall<I, O>
        : M extends DescMethodBiDiStreaming<infer I, infer O>
          ? BiDiStreamingCall<I, O>
          : never;

type HandlerMethod<M> =
  M extends DescMethodUnary<infer I, infer O>
    ? UnaryHandler<I, O>
    : M extends DescMethodServerStreaming<infer I, infer O>
      ? ServerStreamingHandler<I, O>
      : M extends DescMethodClientStreaming<infer I, infer O>
        ? ClientStreamingHandler<I, O>
        : M extends DescMethodBiDiStreaming<infer I, infer O>
          ? BiDiStreamingHandler<I, O>
          : never;

type MethodsOf<S> =
  S extends GenService<infer RuntimeShape extends GenServiceMethods>
    ? { [K in keyof RuntimeShape]: GenServiceMethodDesc<RuntimeShape[K]> }
    : never;

type GenServiceMethodDesc<T> = T extends {
  methodKind: "unary";
  input: infer I extends DescMessage;
  output: infer O extends DescMessage;
}
  ? DescMethodUnary<I, O>
  : T extends {
        methodKind: "server_streaming";
        input: infer I extends DescMessage;
        output: infer O extends DescMessage;
      }
    ? DescMethodServerStreaming<I, O>
    : T extends {
          methodKind: "client_streaming";
          input: infer I extends DescMessage;
          output: infer O extends DescMessage;
        }
      ? DescMethodClientStreaming<I, O>
      : T extends {
            methodKind: "bidi_streaming";
            input: infer I extends DescMessage;
            output: infer O extends DescMessage;
          }
        ? DescMethodBiDiStreaming<I, O>
        : never;

/** A typed client for service `S` (a `GenService` from protoc-gen-es). */
export type Client<S> = {
  [K in keyof MethodsOf<S> as SafeKey<K & string>]: ClientMethod<MethodsOf<S>[K]>;
};

/** The handlers that implement service `S`. */
export type ServiceHandlers<S> = {
  [K in keyof MethodsOf<S> as SafeKey<K & string>]: HandlerMethod<MethodsOf<S>[K]>;
};
