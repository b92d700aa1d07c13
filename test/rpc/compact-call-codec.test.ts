import { describe, expect, it } from "vitest";
import type { Frame } from "../../runtime/transport/transport.js";
import { decodeCompactCall, encodeCompactCall } from "../../runtime/wire/compact-call.js";
import { encodeFrame } from "../../runtime/wire/frame-codec.js";

/** The method a compact call of `method` decodes to, as a server reads it. */
function roundTrip(method: string): string | undefined {
  const frame: Frame = { type: "call", body: encodeCompactCall(method, undefined, undefined) };
  decodeCompactCall(frame);
  return frame.method;
}

/** FNV-1a over the UTF-8 bytes, as the decoder's cache keys names. */
function fnv(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash;
}

describe("compact call codec", () => {
  it("two method paths with the same cache key each decode as themselves", () => {
    const seen = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; pair === undefined; i++) {
      const name = `/p.S/M${i.toString(36)}`;
      const other = seen.get(fnv(name));
      if (other !== undefined) pair = [other, name];
      else seen.set(fnv(name), name);
    }
    const [a, b] = pair;
    expect(roundTrip(a)).toBe(a);
    expect(roundTrip(b)).toBe(b);
    expect(roundTrip(a)).toBe(a);
  });

  it("made-up names beyond the cache's bound do not change what real ones decode to", () => {
    expect(roundTrip("/real.Service/Call")).toBe("/real.Service/Call");
    for (let i = 0; i < 3_000; i++) roundTrip(`/made.up/N${i}`);
    expect(roundTrip("/real.Service/Call")).toBe("/real.Service/Call");
    const long = `/long/${"x".repeat(600)}`;
    expect(roundTrip(long)).toBe(long);
  });

  it("takes the compact form only when marked and without request headers", () => {
    const call: Frame = { type: "call", method: "/s.S/M", body: new Uint8Array([0x0a, 0x00]) };
    expect(encodeFrame(call).lines).toContain("Pn-Method");
    expect(encodeFrame({ ...call, compact: true }).lines).toBe("");
    expect(encodeFrame({ ...call, compact: true, headers: {} }).lines).toBe("");
    expect(encodeFrame({ ...call, compact: true, headers: { a: "1" } }).lines).toContain(
      "Pn-Method",
    );
  });
});
