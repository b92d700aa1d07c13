import type { Code } from "../errors/code.js";
import type { RpcError } from "../errors/rpc-error.js";
import type { MethodEntry } from "./method-table.js";
import type { ServerLogger } from "./unexpected-error.js";

/** What the server tracks of every call in progress. */
export interface ServerCall {
  readonly entry: MethodEntry;
  /** Ends the call now (server stopping): abort its signal and answer `error`. */
  shutdown(error: RpcError): void;
}

/** Callbacks of a call into its server. */
export interface CallHost {
  /** The call ended: update load, drain state and observers. */
  finished(
    call: ServerCall,
    startedAt: number,
    code: Code | undefined,
    message: string | undefined,
  ): void;
  readonly maxPayload: number;
  /** Where unexpected handler errors are logged; undefined: nowhere. */
  readonly logger: ServerLogger | undefined;
}
