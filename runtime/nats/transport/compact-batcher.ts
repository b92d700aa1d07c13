import { batchPartOverhead, encodeCompactBatch } from "../../wire/compact-frame.js";

/** Largest batch gathered (further bounded by the server's max_payload). */
const maxBatchBytes = 64 * 1024;
/**
 * Larger frames leave on their own: per NATS message the saving is the same
 * few microseconds, while copying a large frame into a batch grows with it.
 */
const maxBatchedFrame = 4 * 1024;

/**
 * Gathers the compact stream frames (PROTOCOL.md, "Compact stream frames")
 * sent in a row to one subject, within one turn of the event loop, into one
 * NATS message: a batch. Per NATS message, publishing (nats.js's publish
 * line), routing (nats-server) and parsing (the peer's nats.js) cost more
 * than the rest of a small stream message's trip. A frame to another
 * subject, any other publish, a full batch and the end of the turn send what
 * gathered first, so every subject's frames keep their order. A batch of one
 * frame leaves as that frame.
 *
 * What gathered is published after the frames' senders returned: a publish
 * that fails then (the connection closed meanwhile) loses those frames as a
 * connection would in transit, and the stream's sequence numbers and
 * heartbeats tell both sides, as for any frame lost while NATS reconnected.
 */
export class CompactBatcher {
  private subject = "";
  private reply = "";
  private readonly parts: Uint8Array[] = [];
  private bytes = 0;

  constructor(
    private readonly publish: (subject: string, reply: string, payload: Uint8Array) => void,
    private readonly maxPayload: () => number,
  ) {}

  /**
   * Adds the compact frame `payload` (a `msg` or `credit`) to `subject` with
   * `reply`; false when it must leave on its own (a large frame), after
   * what gathered (already sent).
   */
  add(subject: string, reply: string, payload: Uint8Array): boolean {
    const size = payload.length + batchPartOverhead;
    const limit = Math.min(maxBatchBytes, this.maxPayload());
    const alone = payload.length > maxBatchedFrame || size + 1 > limit;
    const parts = this.parts;
    if (
      parts.length > 0 &&
      (alone || subject !== this.subject || reply !== this.reply || this.bytes + size > limit)
    ) {
      this.flush();
    }
    if (alone) return false;
    if (parts.length === 0) {
      this.subject = subject;
      this.reply = reply;
      this.bytes = 1;
    }
    parts.push(payload);
    this.bytes += size;
    return true;
  }

  /** Sends what gathered, if anything. */
  flush(): void {
    const parts = this.parts;
    const n = parts.length;
    if (n === 0) return;
    const payload = n === 1 ? (parts[0] as Uint8Array) : encodeCompactBatch(parts);
    parts.length = 0;
    this.bytes = 0;
    try {
      this.publish(this.subject, this.reply, payload);
    } catch {
      // Lost like frames in transit: the peer's sequence check and heartbeats tell.
    }
  }
}
