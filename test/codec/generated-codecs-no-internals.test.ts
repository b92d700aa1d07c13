import type { DescMessage } from "@bufbuild/protobuf";
import fc from "fast-check";
import { codecOf } from "protonats/protocol";
import { afterAll, beforeAll, describe, it } from "vitest";
import { setReaderInternals } from "../../runtime/codec/reader-internals.js";
import { sameAsReflection, sameDecodeOfAnyBytes } from "./differential.js";
import { loadGoldenSchemas } from "./golden-schemas.js";

// The generated decoders with protobuf-es's public reader only (no strings
// read in place): the fallback when its reader's fields are not where
// reader-internals.ts expects them.
const runs = { seed: 20261201, numRuns: 40 };

let schemas: DescMessage[];
beforeAll(async () => {
  setReaderInternals(false);
  schemas = [...(await loadGoldenSchemas()).values()].filter((s) => codecOf(s) !== undefined);
});
afterAll(() => setReaderInternals(true));

describe("generated codecs with reader internals off", () => {
  it("match protobuf-es on every golden message that has one", () => {
    for (const s of schemas) {
      fc.assert(sameAsReflection(s), runs);
      fc.assert(sameDecodeOfAnyBytes(s), runs);
    }
  });
});
