import type { DescMessage } from "@bufbuild/protobuf";
import fc from "fast-check";
import { codecOf } from "protonats/protocol";
import { beforeAll, describe, expect, it } from "vitest";
import { sameAsReflection, sameDecodeOfAnyBytes } from "./differential.js";
import { covered, loadGoldenSchemas } from "./golden-schemas.js";

// Differential tests of the codecs protoc-gen-nats generates (the golden
// output of test/codegen/fixtures) against protobuf-es reflection. Fixed
// seed and bounded runs here; bench/codec-fuzz.ts runs the same properties
// long with fresh seeds.
const runs = { seed: 20261201, numRuns: 150 };

let schemas: Map<string, DescMessage>;
beforeAll(async () => {
  schemas = await loadGoldenSchemas();
});

function schema(typeName: string): DescMessage {
  const found = schemas.get(typeName);
  if (found === undefined) throw new Error(`no golden schema ${typeName}`);
  return found;
}

describe("which messages get a generated codec", () => {
  it("every message of the field kinds covered", () => {
    for (const name of covered) expect(codecOf(schema(name)), name).toBeDefined();
  });

  it("none where protobuf-es representation needs reflection", () => {
    for (const name of ["codec.v1.WithStruct"]) {
      expect(codecOf(schema(name)), name).toBeUndefined();
    }
  });
});

describe("generated codecs match protobuf-es", () => {
  it("on every golden message that has one", () => {
    const withCodec = [...schemas.values()].filter((s) => codecOf(s) !== undefined);
    expect(withCodec.length).toBeGreaterThan(covered.length);
    for (const s of withCodec) {
      fc.assert(sameAsReflection(s), { ...runs, numRuns: 40 });
    }
  });

  for (const name of covered) {
    it(`${name}: same bytes and same objects`, () => {
      fc.assert(sameAsReflection(schema(name)), runs);
    });
    it(`${name}: same merge of two encodings, same outcome on corrupted bytes`, () => {
      fc.assert(sameDecodeOfAnyBytes(schema(name)), runs);
    });
  }
});
