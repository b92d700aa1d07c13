import {
  create,
  type DescMessage,
  fromBinary,
  type MessageInitShape,
  type MessageShape,
  toBinary,
} from "@bufbuild/protobuf";
import { Code, codeName } from "./code.js";

/**
 * A detail attached to an error: a protobuf message declared by the user
 * (e.g. a `google.rpc.BadRequest`-style message). On the wire it travels as a
 * `google.protobuf.Any`; on the receiving side it is decoded with
 * {@link RpcError.findDetails} given the message's schema.
 */
export interface ErrorDetail {
  /** Fully qualified protobuf type name. */
  readonly typeName: string;
  /** Binary protobuf encoding of the message. */
  readonly value: Uint8Array;
}

export interface RpcErrorOptions {
  /** Headers or trailers to send with the error (never anything secret). */
  metadata?: Record<string, string>;
  /** Typed details; see {@link ErrorDetail}. */
  details?: ErrorDetail[];
  /** The original error. Kept locally for logs, never sent over the wire. */
  cause?: unknown;
}

/**
 * The one error type of protonats. Every failure a client or server sees is an
 * `RpcError` with a {@link Code}: thrown by a handler, produced by the runtime
 * (deadline, no responders, malformed frame), or decoded from the wire.
 */
export class RpcError extends Error {
  override readonly name = "RpcError";
  readonly code: Code;
  /** The message without the `[code]` prefix: what travels on the wire. */
  readonly rawMessage: string;
  readonly metadata: Record<string, string>;
  readonly details: ErrorDetail[];

  constructor(code: Code, message = "", options: RpcErrorOptions = {}) {
    super(message ? `[${codeName(code)}] ${message}` : `[${codeName(code)}]`, {
      cause: options.cause,
    });
    this.code = code;
    this.rawMessage = message;
    this.metadata = options.metadata ?? {};
    this.details = options.details ?? [];
  }

  /**
   * Turns anything thrown into an `RpcError`. An `RpcError` is returned as it
   * is; an `AbortError` becomes `Canceled`; anything else becomes `code`
   * (default `Internal`) with a generic message, the original kept as `cause`
   * so that nothing about it (message, stack) leaks to a remote peer.
   */
  static from(reason: unknown, code: Code = Code.Internal): RpcError {
    if (reason instanceof RpcError) return reason;
    if (reason instanceof Error && reason.name === "AbortError") {
      return new RpcError(Code.Canceled, "operation was aborted", { cause: reason });
    }
    if (reason instanceof Error && reason.name === "TimeoutError") {
      return new RpcError(Code.DeadlineExceeded, "operation timed out", { cause: reason });
    }
    return new RpcError(code, code === Code.Internal ? "internal error" : String(reason), {
      cause: reason,
    });
  }

  /** Decodes the details of the given message type, skipping others. */
  findDetails<Desc extends DescMessage>(schema: Desc): MessageShape<Desc>[] {
    return this.details
      .filter((d) => d.typeName === schema.typeName)
      .map((d) => fromBinary(schema, d.value));
  }
}

/** Packs a protobuf message as an error detail. */
export function errorDetail<Desc extends DescMessage>(
  schema: Desc,
  message: MessageInitShape<Desc>,
): ErrorDetail {
  return { typeName: schema.typeName, value: toBinary(schema, create(schema, message)) };
}
