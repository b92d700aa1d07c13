import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  CodeGeneratorRequestSchema,
  CodeGeneratorResponseSchema,
  type FileDescriptorProto,
} from "@bufbuild/protobuf/wkt";
import { beforeAll, describe, expect, it } from "vitest";
import { pluginVersion } from "../../codegen/version.js";
import { buildFixtureImage, repoRoot } from "./support/fixture-image.js";

// The executable as buf runs it in this repository (buf.gen.yaml): a
// CodeGeneratorRequest on stdin, a CodeGeneratorResponse on stdout, problems
// on stderr with a non-zero exit status.
function runBin(input: Uint8Array | undefined, args: string[] = []) {
  return spawnSync(
    process.execPath,
    ["--import", "tsx", join(repoRoot, "codegen/bin/protoc-gen-nats.ts"), ...args],
    { cwd: repoRoot, input, timeout: 150_000 },
  );
}

function request(image: FileDescriptorProto[], file: string): Uint8Array {
  return toBinary(
    CodeGeneratorRequestSchema,
    create(CodeGeneratorRequestSchema, {
      fileToGenerate: [file],
      parameter: "target=ts",
      protoFile: image,
    }),
  );
}

// Each test starts node with tsx, which takes a while on a busy machine.
describe("the protoc-gen-nats executable", { timeout: 180_000 }, () => {
  let image: FileDescriptorProto[];
  beforeAll(() => {
    image = buildFixtureImage();
  });

  it("answers a request with the generated files", () => {
    const result = runBin(request(image, "cross/v1/cross.proto"));
    expect(result.stderr.toString()).toBe("");
    expect(result.status).toBe(0);
    const response = fromBinary(CodeGeneratorResponseSchema, result.stdout);
    expect(response.file.map((f) => f.name)).toEqual(["cross/v1/cross_nats.ts"]);
    expect(response.file[0]?.content).toContain("export function createBillingClient(");
  });

  it("fails with the problems on stderr", () => {
    const result = runBin(request(image, "errors/event_delivery.proto"));
    expect(result.status).toBe(1);
    expect(result.stderr.toString()).toMatch(
      /^protoc-gen-nats: 3 problems with protonats options:\nerrors\/event_delivery\.proto:7:60: message errors\.event_delivery\.NotDurable: /,
    );
  });

  it("prints its version", () => {
    const result = runBin(undefined, ["--version"]);
    expect(result.stdout.toString()).toBe(`protoc-gen-nats ${pluginVersion}\n`);
  });
});
