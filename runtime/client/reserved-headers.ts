import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import { reservedPrefix } from "../transport/wire-headers.js";

const none: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * The headers of a call: the client's defaults overlaid with the call's own.
 * Names with the reserved `Pn-` prefix are refused with `InvalidArgument`
 * (they would be mistaken for protocol fields).
 */
export function mergeHeaders(
  defaults: Record<string, string> | undefined,
  call: Record<string, string> | undefined,
): Record<string, string> {
  if (defaults === undefined && call === undefined) return {};
  const merged = { ...(defaults ?? none), ...(call ?? none) };
  for (const k in merged) {
    if (k.startsWith(reservedPrefix)) {
      throw new RpcError(
        Code.InvalidArgument,
        `header "${k}" uses the reserved prefix ${reservedPrefix}`,
      );
    }
  }
  return merged;
}
