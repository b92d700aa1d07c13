import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import type { Frame, FrameType } from "../transport/transport.js";

/** Frames that carry state the peer must not miss: each gets the next number. */
function numbered(type: FrameType): boolean {
  return type === "message" || type === "credit" || type === "end";
}

/**
 * Numbers the stream frames of one pseudo connection each way, so that a
 * frame lost while NATS reconnected (nats.js drops what it buffered, a
 * route between cluster nodes drops what it carried) is noticed instead of
 * leaving both sides waiting for each other. Each `msg`, `credit` and `end`
 * a side sends carries the next number; its `ping` carries the number of the
 * last one. NATS delivers one connection's messages in order, so a receiver
 * that sees a number skipped, or a `ping` announcing more than it got, knows
 * frames were lost. Heartbeats bound how long that takes: an idle side pings
 * every heartbeat interval.
 *
 * Frames without a number (from a peer that does not number them) are
 * accepted as they are.
 */
export class FrameSequence {
  /** Numbered frames sent so far. */
  private sent = 0;
  /** Numbered frames received so far. */
  private received = 0;

  /** The number to send with an outgoing frame, or undefined for frames that carry none. */
  stamp(type: FrameType): number | undefined {
    if (numbered(type)) return ++this.sent;
    return type === "ping" ? this.sent : undefined;
  }

  /**
   * Takes back the number of a frame that was stamped but could not leave (it
   * failed to encode or to publish), so the next frame does not look to the
   * peer like a frame lost in transit.
   */
  withdraw(type: FrameType): void {
    if (numbered(type)) this.sent--;
  }

  /** Undefined when `frame` arrived in order, else the error that ends the stream. */
  check(frame: Frame): RpcError | undefined {
    const seq = frame.seq;
    if (seq === undefined) return undefined;
    if (numbered(frame.type)) {
      if (seq === this.received + 1) {
        this.received = seq;
        return undefined;
      }
      return lost(seq - this.received - 1);
    }
    if (frame.type === "ping" && seq > this.received) return lost(seq - this.received);
    return undefined;
  }
}

function lost(count: number): RpcError {
  if (count <= 0) {
    return new RpcError(
      Code.Unavailable,
      "stream frames arrived out of order; the stream cannot continue",
    );
  }
  const what = count === 1 ? "1 stream frame was" : `${count} stream frames were`;
  return new RpcError(
    Code.Unavailable,
    `${what} lost in transit (NATS reconnected); the stream cannot continue`,
  );
}
