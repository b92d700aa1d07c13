import type { DescMessage } from "@bufbuild/protobuf";
import fc from "fast-check";
import { codecOf } from "protonats/protocol";
import { beforeAll, describe, expect, it } from "vitest";
import { codecWritesInit, sameAsCreateThenToBinary } from "./differential.js";
import { covered, loadGoldenSchemas } from "./golden-schemas.js";

// Differential tests of the generated init encoders: an init object written
// directly must give the bytes of protobuf-es `toBinary(create(init))`, and
// anything else its error. Fixed seed; bench/codec-fuzz.ts runs them long.
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

describe("encodeInit matches toBinary(create(init))", () => {
  it("on every golden message, with a codec or not", () => {
    const all = [...schemas.values()];
    expect(all.some((s) => codecOf(s) === undefined)).toBe(true);
    for (const s of all) fc.assert(sameAsCreateThenToBinary(s), { ...runs, numRuns: 30 });
  });

  for (const name of covered) {
    it(`${name}: the codec writes well-formed init objects itself`, () => {
      fc.assert(codecWritesInit(schema(name)), runs);
    });
    it(`${name}: same bytes or same error for any init object`, () => {
      fc.assert(sameAsCreateThenToBinary(schema(name)), runs);
    });
  }
});
