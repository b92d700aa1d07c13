import type { Message } from "@bufbuild/protobuf";
import { methodPath } from "../client/method-config.js";
import { codeName } from "../errors/code.js";
import type { AnyRequest, Interceptor } from "../interceptor.js";
import { observeCallEnd, sideOf } from "./call-end.js";

/** One line of a call log. */
export interface CallLogEntry {
  readonly side: "client" | "server";
  /** `/package.Service/Method`. */
  readonly procedure: string;
  readonly kind: AnyRequest["method"]["methodKind"];
  /** `ok`, or the Connect name of the error code (`not_found`, ...). */
  readonly code: string;
  readonly durationMs: number;
  /** The error message, when the call failed. */
  readonly error?: string;
  /** Unary request and response messages, only with `payloads: true`. */
  readonly request?: Message;
  readonly response?: Message;
}

/** Options of {@link loggingInterceptor}. */
export interface LoggingOptions {
  /**
   * Where entries go, e.g. `(e) => pino.info(e, "rpc")`. Default: one line
   * on `console.info` (`console.warn` for errors).
   */
  log?: (entry: CallLogEntry) => void;
  /**
   * Include unary request and response messages. Off by default: payloads
   * may hold personal data and are large.
   */
  payloads?: boolean;
}

/**
 * Logs every call once it ends: side, procedure, code and duration (streams:
 * when the response stream ends). Works on clients and servers alike. A
 * logger that throws does not fail the call.
 */
export function loggingInterceptor(options: LoggingOptions = {}): Interceptor {
  const log = options.log ?? consoleLog;
  const payloads = options.payloads === true;
  return (next) => async (req) => {
    const started = performance.now();
    return observeCallEnd(next, req, (error, res) => {
      const entry: {
        -readonly [K in keyof CallLogEntry]: CallLogEntry[K];
      } = {
        side: sideOf(req),
        procedure: methodPath(req.method),
        kind: req.method.methodKind,
        code: error === undefined ? "ok" : codeName(error.code),
        durationMs: performance.now() - started,
      };
      if (error !== undefined) entry.error = error.rawMessage;
      if (payloads && !req.stream) {
        entry.request = req.message;
        if (res !== undefined && !res.stream) entry.response = res.message;
      }
      try {
        log(entry);
      } catch {
        // Logging is best effort; the call's outcome is what matters.
      }
    });
  };
}

function consoleLog(e: CallLogEntry): void {
  const line = `protonats ${e.side} ${e.procedure} ${e.code} ${e.durationMs.toFixed(1)}ms`;
  if (e.error === undefined) console.info(line);
  else console.warn(`${line}: ${e.error}`);
}
