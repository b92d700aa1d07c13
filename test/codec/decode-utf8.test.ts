import { describe, expect, it } from "vitest";
import { decodeUtf8 } from "../../runtime/codec/reader-internals.js";

const strict = new TextDecoder("utf-8", { fatal: true });
const lenient = new TextDecoder();

describe("decodeUtf8 (the generated decoders' string reader)", () => {
  it("reads what TextDecoder reads, short ASCII built by hand or not", () => {
    const texts = [
      "",
      "a",
      "eu",
      "x".repeat(16),
      "x".repeat(17),
      "é",
      "aé",
      "日本",
      "😀",
      "a\u0000b",
    ];
    for (const text of texts) {
      const bytes = new TextEncoder().encode(text);
      expect(decodeUtf8(bytes, true), text).toBe(text);
      expect(decodeUtf8(bytes, false), text).toBe(text);
      expect(decodeUtf8(Buffer.from(bytes), true), text).toBe(text);
    }
  });

  it("refuses invalid UTF-8 when strict, and replaces it otherwise, as protobuf-es", () => {
    for (const bad of [[0xc3], [0x61, 0xff], [0xed, 0xa0, 0x80], [0x61, 0x62, 0xe6, 0x97]]) {
      const bytes = new Uint8Array(bad);
      expect(() => decodeUtf8(bytes, true)).toThrow();
      expect(() => strict.decode(bytes)).toThrow();
      expect(decodeUtf8(bytes, false)).toBe(lenient.decode(bytes));
    }
  });
});
