import { defaultServerLimits } from "../call/limits.js";
import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import type { ClientOptions } from "./client-options.js";

/**
 * Refuses stream options no server accepts by default: a `window` above the
 * servers' `maxWindow` would only be clamped, and a `heartbeatMs` above their
 * `maxHeartbeatMs` would make servers reap idle streams the client still
 * considers alive. Throws `RpcError` `InvalidArgument` naming the bound.
 */
export function checkStreamOptions(options: ClientOptions): void {
  const { window, heartbeatMs, missedHeartbeats } = options;
  const limits = defaultServerLimits;
  if (
    window !== undefined &&
    !(Number.isInteger(window) && window >= 1 && window <= limits.maxWindow)
  ) {
    throw new RpcError(
      Code.InvalidArgument,
      `window must be an integer from 1 to ${limits.maxWindow} (the servers' maxWindow), got ${window}`,
    );
  }
  if (
    heartbeatMs !== undefined &&
    !(heartbeatMs >= limits.minHeartbeatMs && heartbeatMs <= limits.maxHeartbeatMs)
  ) {
    throw new RpcError(
      Code.InvalidArgument,
      `heartbeatMs must be from ${limits.minHeartbeatMs} to ${limits.maxHeartbeatMs} ms (the servers' bounds), got ${heartbeatMs}`,
    );
  }
  if (
    missedHeartbeats !== undefined &&
    !(Number.isInteger(missedHeartbeats) && missedHeartbeats >= 1)
  ) {
    throw new RpcError(
      Code.InvalidArgument,
      `missedHeartbeats must be a positive integer, got ${missedHeartbeats}`,
    );
  }
}
