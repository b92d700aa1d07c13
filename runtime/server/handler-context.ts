import type { DescMethod, DescService } from "@bufbuild/protobuf";

/** What a handler knows about the call it serves. */
export interface HandlerContext {
  readonly service: DescService;
  readonly method: DescMethod;
  /** Request headers sent by the client. */
  readonly requestHeader: Readonly<Record<string, string>>;
  /** Headers to send before the first response message; set before returning or yielding. */
  readonly responseHeader: Record<string, string>;
  /** Trailers to send after the last response message. */
  readonly responseTrailer: Record<string, string>;
  /** Aborts when the client cancels, the deadline passes or the server stops. */
  readonly signal: AbortSignal;
  /** Epoch milliseconds at which the call's deadline passes, if it has one. */
  readonly deadline: number | undefined;
  /** Milliseconds left before the deadline (Infinity without one). */
  timeRemaining(): number;
}
