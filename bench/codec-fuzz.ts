/**
 * Long run of the differential properties of the generated codecs
 * (test/codec/) with fresh seeds: every golden message that has a codec,
 * against protobuf-es reflection.
 *
 *   npx tsx bench/codec-fuzz.ts [runs per message, default 20000] [seed]
 *
 * A failure prints the seed and path that replay it.
 */
import fc from "fast-check";
import { codecOf } from "protonats";
import { sameAsReflection, sameDecodeOfAnyBytes } from "../test/codec/differential.js";
import { loadGoldenSchemas } from "../test/codec/golden-schemas.js";

const numRuns = Number(process.argv[2] ?? 20_000);
const seed = Number(process.argv[3] ?? Date.now() % 2 ** 31);
const schemas = [...(await loadGoldenSchemas()).values()].filter((s) => codecOf(s) !== undefined);
console.log(`seed ${seed}, ${numRuns} runs per property, ${schemas.length} messages`);
let failed = 0;
for (const schema of schemas) {
  for (const [name, property] of [
    ["encode/decode", sameAsReflection(schema)],
    ["merge/corrupt", sameDecodeOfAnyBytes(schema)],
  ] as const) {
    const started = performance.now();
    const details = fc.check(property as fc.IRawProperty<unknown[]>, { seed, numRuns });
    const ms = (performance.now() - started).toFixed(0);
    if (details.failed) {
      failed++;
      console.log(`FAIL ${schema.typeName} ${name}\n${fc.defaultReportMessage(details)}`);
    } else {
      console.log(`ok   ${schema.typeName} ${name} (${ms} ms)`);
    }
  }
}
process.exitCode = failed > 0 ? 1 : 0;
