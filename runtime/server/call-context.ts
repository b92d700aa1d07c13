import type { DescMethod, DescService } from "@bufbuild/protobuf";
import type { RpcError } from "../errors/rpc-error.js";
import type { HandlerContext } from "./handler-context.js";

/**
 * The context of one call on the server. The `AbortController` and the header
 * objects are made only when a handler touches them: most unary handlers
 * never look at their signal, and the call should not pay for it.
 */
export class CallContext implements HandlerContext {
  private controller: AbortController | undefined;
  private abortReason: RpcError | undefined;
  private header: Record<string, string> | undefined;
  private trailer: Record<string, string> | undefined;

  /** `received`: the call's request headers; undefined when it came without any. */
  constructor(
    readonly service: DescService,
    readonly method: DescMethod,
    private received: Record<string, string> | undefined,
    readonly deadline: number | undefined,
  ) {}

  /** Made on first read for a call without headers: most handlers never look. */
  get requestHeader(): Readonly<Record<string, string>> {
    this.received ??= {};
    return this.received;
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.abortReason !== undefined) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  get responseHeader(): Record<string, string> {
    this.header ??= {};
    return this.header;
  }

  get responseTrailer(): Record<string, string> {
    this.trailer ??= {};
    return this.trailer;
  }

  /** The headers set so far, without creating the object. */
  get headerIfAny(): Record<string, string> | undefined {
    return this.header;
  }

  get trailerIfAny(): Record<string, string> | undefined {
    return this.trailer;
  }

  timeRemaining(): number {
    return this.deadline === undefined ? Infinity : this.deadline - Date.now();
  }

  /** Aborts the handler's signal with `reason` (the first reason wins). */
  abort(reason: RpcError): void {
    if (this.abortReason !== undefined) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
  }

  get aborted(): boolean {
    return this.abortReason !== undefined;
  }
}
