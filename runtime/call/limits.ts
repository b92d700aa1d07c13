/**
 * Bounds on everything a peer chooses: any user of the NATS account can send
 * frames, so every number or size it puts in a frame is checked against these
 * before the server acts on it. One home for the defaults; a server overrides
 * them with `serve(..., { limits })`, a NATS transport its header limit with
 * `natsRuntime(nc, { maxHeaderBytes })`.
 */
export interface ServerLimits {
  /**
   * Most response messages a client may let a stream's server send ahead
   * (its `Pn-Window` plus granted `Pn-Credit` not yet used): more is clamped.
   * Clients refuse a larger `window` option. Default 4 096.
   */
  maxWindow: number;
  /** Shortest stream heartbeat interval a client may ask for (clamped). Default 20 ms. */
  minHeartbeatMs: number;
  /**
   * Longest stream heartbeat interval a client may ask for (clamped): a client
   * that vanished is reaped at most `missedHeartbeats` times this after its
   * last frame. Clients refuse a longer `heartbeatMs` option. Default 15 000 ms.
   */
  maxHeartbeatMs: number;
  /** Streams open at once on one server; more are refused `ResourceExhausted`. Default 10 000. */
  maxStreams: number;
  /**
   * Streams open at once on one server from one client connection (its reply
   * subject prefix); more are refused `ResourceExhausted`. Default 1 000.
   */
  maxStreamsPerClient: number;
}

export const defaultServerLimits: Readonly<ServerLimits> = Object.freeze({
  maxWindow: 4_096,
  minHeartbeatMs: 20,
  maxHeartbeatMs: 15_000,
  maxStreams: 10_000,
  maxStreamsPerClient: 1_000,
});

/**
 * What a stream uses when neither side's options say otherwise; clients and
 * servers read them here, so the two ends agree.
 */
export interface StreamDefaults {
  /**
   * Messages one side may send ahead of the other's credit: response
   * messages a client lets its server send ahead of the consumer, request
   * messages a server lets its client send ahead of the handler. It bounds
   * what a stalled reader buffers; an idle stream's memory does not depend
   * on it, but a stalled reader may buffer `window` messages of any size:
   * lower it for large messages. 512: with 64 (re-granted every half window)
   * streams stalled on credit round trips; 256 measured ~+30-60 % msgs/s
   * (server streaming and bidi echo) and a quarter of the credit frames, 512
   * (once frames travel in batches) another ~+50 % at 100 B, 1,024 no more.
   */
  window: number;
  /** Interval of the idle-stream heartbeat, in ms. */
  heartbeatMs: number;
  /** Silent intervals after which the other side counts as gone. */
  missedHeartbeats: number;
}

export const streamDefaults: Readonly<StreamDefaults> = Object.freeze({
  window: 512,
  heartbeatMs: 5_000,
  missedHeartbeats: 3,
});

/**
 * Largest header block a NATS transport decodes; a frame with a bigger one is
 * refused `ResourceExhausted` before its headers are parsed. Default 64 KiB.
 */
export const defaultMaxHeaderBytes = 64 * 1024;

/**
 * A stream's send loop hands the event loop back after this many messages
 * sent without waiting for credit, so no window, however large, starves
 * other calls, timers and I/O. Each hand-back is also a socket write (see
 * WriteCoalescer): 256 instead of 64 measured ~15% less CPU per 100 B
 * message on each side of a server stream.
 */
export const sendBurst = 256;

/** Checks a limit given in options: a positive integer (or Infinity where allowed). */
export function checkLimit(name: string, value: number, allowInfinity = false): number {
  const ok = Number.isInteger(value) || (allowInfinity && value === Infinity);
  if (!ok || value <= 0) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/** The server's limits: the defaults with `overrides` checked and applied. */
export function serverLimits(overrides: Partial<ServerLimits> = {}): ServerLimits {
  const limits = { ...defaultServerLimits, ...overrides };
  checkLimit("limits.maxWindow", limits.maxWindow);
  checkLimit("limits.minHeartbeatMs", limits.minHeartbeatMs);
  checkLimit("limits.maxHeartbeatMs", limits.maxHeartbeatMs);
  checkLimit("limits.maxStreams", limits.maxStreams, true);
  checkLimit("limits.maxStreamsPerClient", limits.maxStreamsPerClient, true);
  if (limits.minHeartbeatMs > limits.maxHeartbeatMs) {
    throw new RangeError("limits.minHeartbeatMs must not exceed limits.maxHeartbeatMs");
  }
  return limits;
}
