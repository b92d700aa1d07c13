import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./support/fixture-image.js";

// The golden output of both plugins (protoc-gen-es and ours) for every
// fixture, with the runtime, under the project's strict settings.
describe("generated code type-checks", () => {
  it("compiles every fixture's output with tsc --noEmit (strict, exactOptionalPropertyTypes)", () => {
    const tsc = join(repoRoot, "node_modules/.bin/tsc");
    let output = "";
    try {
      execFileSync(tsc, ["-p", "test/codegen/tsconfig.golden.json"], {
        cwd: repoRoot,
        encoding: "utf8",
      });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    expect(output).toBe("");
  }, 240_000);
});
