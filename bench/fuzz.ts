/**
 * The decoder properties of `test/fuzz` with many more cases than CI runs:
 * `npx tsx bench/fuzz.ts [runs=100000] [seed=random]`. Prints the seed, so a
 * failure can be replayed.
 */
import { decoderProperties } from "../test/fuzz/decoder-properties.js";

const numRuns = Number(process.argv[2] ?? 100_000);
const seed = Number(process.argv[3] ?? Math.floor(Math.random() * 2 ** 31));
console.log(`fuzzing with seed ${seed}, ${numRuns} runs per property`);
let failed = 0;
for (const [name, check] of Object.entries(decoderProperties)) {
  const started = performance.now();
  try {
    check({ seed, numRuns });
    console.log(`ok   ${name} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    failed++;
    console.log(`FAIL ${name}\n${(error as Error).message}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
