import { describe, it } from "vitest";
import { ciRuns, decoderProperties } from "./decoder-properties.js";

describe("decoders of what strangers send (property-based, fixed seed)", () => {
  for (const [name, check] of Object.entries(decoderProperties)) {
    it(name, () => check(ciRuns));
  }
});
