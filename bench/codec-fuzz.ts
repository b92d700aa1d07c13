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
import { codecOf } from "protonats/protocol";
import { sameAsReflection, sameDecodeOfAnyBytes } from "../test/codec/differential.js";
import { loadGoldenSchemas } from "../test/codec/golden-schemas.js";

const numRuns = Number(process.argv[2] ?? 20_000);
const seed = Number(process.argv[3] ?? Date.now() % 2 ** 31);
const schemas = [...(await loadGoldenSchemas()).values()].filter((s) => codecOf(s) !== undefined);
console.log(`seed ${seed}, ${numRuns} runs per property, ${schemas.length} messages`);
/** The failure report of one property, or undefined when it holds. */
function failure<T extends unknown[]>(property: fc.IPropertyWithHooks<T>): string | undefined {
  const details = fc.check(property, { seed, numRuns });
  return details.failed ? (fc.defaultReportMessage(details) ?? "failed") : undefined;
}

let failed = 0;
for (const schema of schemas) {
  const checks = {
    "encode/decode": () => failure(sameAsReflection(schema)),
    "merge/corrupt": () => failure(sameDecodeOfAnyBytes(schema)),
  };
  for (const [name, check] of Object.entries(checks)) {
    const started = performance.now();
    const report = check();
    const ms = (performance.now() - started).toFixed(0);
    if (report !== undefined) failed++;
    console.log(
      report === undefined
        ? `ok   ${schema.typeName} ${name} (${ms} ms)`
        : `FAIL ${schema.typeName} ${name}\n${report}`,
    );
  }
}
process.exitCode = failed > 0 ? 1 : 0;
