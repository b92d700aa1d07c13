import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { beforeAll, describe, expect, it } from "vitest";
import { buildFixtureImage, repoRoot } from "./support/fixture-image.js";
import { goodFixtures } from "./support/fixture-sets.js";
import { runEs, runNats } from "./support/run-plugins.js";

// Expected output of both plugins for every fixture, checked in so that a
// change in generated code is a reviewed diff. UPDATE_GOLDEN=1 rewrites it.
const goldenDir = join(repoRoot, "test/codegen/golden");
const update = process.env.UPDATE_GOLDEN === "1";

function listGolden(dir = goldenDir): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(goldenDir, join(e.parentPath, e.name)))
    .sort();
}

describe("generated code matches the golden files", () => {
  let generated: Map<string, string>;
  let image: FileDescriptorProto[];

  beforeAll(() => {
    image = buildFixtureImage();
    const fixtures = goodFixtures(image);
    generated = new Map([
      ...runEs(image, [...fixtures, "protonats/v1/options.proto"]),
      ...runNats(image, fixtures),
    ]);
    if (update) {
      rmSync(goldenDir, { recursive: true, force: true });
      for (const [name, content] of generated) {
        mkdirSync(dirname(join(goldenDir, name)), { recursive: true });
        writeFileSync(join(goldenDir, name), content);
      }
    }
  });

  it("writes exactly the golden set of files (no _nats.ts for files without services or events)", () => {
    expect([...generated.keys()].sort()).toEqual(listGolden());
    expect(generated.has("common/v1/common_nats.ts")).toBe(false);
    expect(generated.has("hostile/v1/hostile_nats.ts")).toBe(true);
  });

  it("writes every file exactly as in the golden set", () => {
    for (const name of listGolden()) {
      expect(generated.get(name), name).toBe(readFileSync(join(goldenDir, name), "utf8"));
    }
  });

  it("generates the same output twice (stable ordering)", () => {
    const again = runNats(image, goodFixtures(image));
    for (const [name, content] of again) expect(content, name).toBe(generated.get(name));
  });
});
