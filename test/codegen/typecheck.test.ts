import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./support/fixture-image.js";

// The golden output of both plugins (protoc-gen-es and ours) for every
// fixture, with the runtime, under the project's strict settings
// (test/codegen/tsconfig.golden.json; the main tsconfig excludes the golden
// files). Errors inside runtime/ are the project type-check's business; this
// test is about the generated code and the type-checks written against it.
describe("generated code type-checks", () => {
  it("compiles every fixture's output with tsc --noEmit (strict, exactOptionalPropertyTypes)", () => {
    const result = spawnSync(
      join(repoRoot, "node_modules/.bin/tsc"),
      ["-p", "test/codegen/tsconfig.golden.json", "--pretty", "false"],
      { cwd: repoRoot, encoding: "utf8", timeout: 230_000 },
    );
    expect(result.error).toBeUndefined();
    const errors = result.stdout.split("\n").filter((line) => line.startsWith("test/codegen/"));
    expect(errors).toEqual([]);
    // tsc ran to the end: it prints nothing, or only errors outside test/codegen.
    expect(result.status === 0 || result.stdout.includes("error TS")).toBe(true);
  }, 240_000);
});
