import { describe, expect, it } from "vitest";
import { Code } from "../../runtime/errors/code.js";
import type { Frame, FrameType } from "../../runtime/transport/transport.js";
import { FrameSequence } from "../../runtime/wire/frame-sequence.js";

/** Frames as one side sends them: stamped by its sequence. */
function sent(sender: FrameSequence, ...types: FrameType[]): Frame[] {
  return types.map((type) => ({ type, seq: sender.stamp(type) }));
}

describe("stream frame numbers", () => {
  it("frames that arrive in order pass; pings announce the last number", () => {
    const a = new FrameSequence();
    const b = new FrameSequence();
    for (const f of sent(a, "credit", "message", "ping", "message", "ping", "end")) {
      expect(b.check(f)).toBeUndefined();
    }
    expect(sent(a, "ping")[0]?.seq).toBe(4);
    expect(sent(a, "cancel")[0]?.seq).toBeUndefined();
  });

  it("a skipped number ends the stream with Unavailable", () => {
    const a = new FrameSequence();
    const b = new FrameSequence();
    const [credit, lost1, lost2, next] = sent(a, "credit", "message", "message", "message");
    expect(b.check(credit as Frame)).toBeUndefined();
    void lost1;
    void lost2;
    const error = b.check(next as Frame);
    expect(error?.code).toBe(Code.Unavailable);
    expect(error?.message).toMatch(/2 stream frames were lost in transit/);
  });

  it("a ping announcing frames that never came ends the stream (the lost frame was the last one)", () => {
    const a = new FrameSequence();
    const b = new FrameSequence();
    const [first, lostCredit, ping] = sent(a, "message", "credit", "ping");
    expect(b.check(first as Frame)).toBeUndefined();
    void lostCredit;
    expect(b.check(ping as Frame)?.message).toMatch(/1 stream frame was lost/);
  });

  it("a repeated or smaller number (a confused or hostile peer) ends the stream too", () => {
    const b = new FrameSequence();
    expect(b.check({ type: "message", seq: 1 })).toBeUndefined();
    expect(b.check({ type: "message", seq: 1 })?.code).toBe(Code.Unavailable);
  });

  it("frames without numbers (a peer that does not number them) are taken as they come", () => {
    const b = new FrameSequence();
    expect(b.check({ type: "message" })).toBeUndefined();
    expect(b.check({ type: "ping" })).toBeUndefined();
  });
});
