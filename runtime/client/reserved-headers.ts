import { checkHeader } from "../call/header-rules.js";
import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import { reservedPrefix } from "../transport/wire-headers.js";

const none: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * The headers of a call: the client's defaults overlaid with the call's own.
 * Names with the reserved `Pn-` prefix are refused with `InvalidArgument`
 * (they would be mistaken for protocol fields), and so are names and values
 * NATS headers cannot carry.
 */
export function mergeHeaders(
  defaults: Record<string, string> | undefined,
  call: Record<string, string> | undefined,
  /** Whether interceptors may add to the object: else no headers share one frozen empty object. */
  writable = true,
): Record<string, string> {
  if (defaults === undefined && call === undefined) return writable ? {} : none;
  const merged = { ...(defaults ?? none), ...(call ?? none) };
  for (const k in merged) {
    if (k.startsWith(reservedPrefix)) {
      throw new RpcError(
        Code.InvalidArgument,
        `header "${k}" uses the reserved prefix ${reservedPrefix}`,
      );
    }
    try {
      checkHeader(k, merged[k] as string);
    } catch (cause) {
      throw new RpcError(Code.InvalidArgument, (cause as Error).message, { cause });
    }
  }
  return merged;
}
