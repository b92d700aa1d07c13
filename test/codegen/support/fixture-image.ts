import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fromBinary } from "@bufbuild/protobuf";
import { type FileDescriptorProto, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
export const fixturesDir = join(repoRoot, "test/codegen/fixtures");
export const badFixturesDir = join(repoRoot, "test/codegen/fixtures-bad");

/**
 * Compiles the fixtures (good and bad) and the protonats options with buf,
 * the compiler users run, into descriptors with source info (for comments
 * and error positions). A buf image is wire-compatible with a
 * FileDescriptorSet and lists files with their imports first.
 */
export function buildFixtureImage(): FileDescriptorProto[] {
  const dir = mkdtempSync(join(tmpdir(), "protonats-codegen-"));
  try {
    const out = join(dir, "image.binpb");
    execFileSync(
      join(repoRoot, "node_modules/.bin/buf"),
      ["build", ".", "--config", "test/codegen/buf.fixtures.yaml", "-o", out],
      { cwd: repoRoot, stdio: ["ignore", "ignore", "pipe"] },
    );
    return fromBinary(FileDescriptorSetSchema, readFileSync(out)).file;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
