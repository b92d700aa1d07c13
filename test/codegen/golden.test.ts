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

  it("keeps proto comments intact but unable to end the JSDoc block", () => {
    const hostile = generated.get("hostile/v1/hostile_nats.ts")!;
    expect(hostile).toContain(
      ` * anything: *\\/ closes a block comment, \${injected} and \`backticks\` matter in`,
    );
    expect(hostile).toContain("non-ASCII must survive: é, ß, 日本語, 🚀.");
    // Every "*/" ends a comment that the generator opened.
    expect(hostile.match(/\*\//g)?.length).toBe(hostile.match(/\/\*/g)?.length);
    const events = generated.get("events/v1/events_nats.ts")!;
    expect(events).toContain(
      " * Leading comment of a nested event.\n *\n * Trailing comment of a nested event.",
    );
  });

  it("marks deprecated services, methods and messages (and their nested messages) @deprecated", () => {
    const deprecated = generated.get("deprecated/v1/deprecated_nats.ts")!;
    const deprecatedBefore = (declaration: string, after = "") => {
      const block = deprecated.substring(
        0,
        deprecated.indexOf(declaration, deprecated.indexOf(after)),
      );
      return block.substring(block.lastIndexOf("/**")).includes("@deprecated");
    };
    expect(deprecatedBefore("export interface OldServiceClient")).toBe(true);
    expect(deprecatedBefore("export function createOldServiceClient")).toBe(true);
    expect(deprecatedBefore("export interface OldServiceHandlers")).toBe(true);
    expect(deprecatedBefore("export function defineOldService")).toBe(true);
    expect(deprecatedBefore("export interface NewServiceClient")).toBe(false);
    expect(deprecatedBefore("  get(request", "export interface OldServiceClient")).toBe(false);
    expect(deprecatedBefore("  get(request", "export interface NewServiceClient")).toBe(true);
    expect(deprecatedBefore("  get2(request", "export interface NewServiceClient")).toBe(false);
    expect(deprecatedBefore("export const OldEvent")).toBe(true);
    expect(deprecatedBefore("export const Old_InnerEvent")).toBe(true);
  });

  it("generates the same output twice (stable ordering)", () => {
    const again = runNats(image, goodFixtures(image));
    for (const [name, content] of again) expect(content, name).toBe(generated.get(name));
  });
});
