import { spawn } from "node:child_process";
import { join } from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { CodeGeneratorRequestSchema, CodeGeneratorResponseSchema } from "@bufbuild/protobuf/wkt";
import { beforeAll, describe, expect, it } from "vitest";
import { pluginVersion } from "../../codegen/version.js";
import { buildFixtureImage, repoRoot } from "./support/fixture-image.js";

// The executable as buf runs it in this repository (buf.gen.yaml): a
// CodeGeneratorRequest on stdin, a CodeGeneratorResponse on stdout, problems
// on stderr with a non-zero exit status.
interface Run {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

function runBin(input: Uint8Array | undefined, args: string[] = []): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(repoRoot, "codegen/bin/protoc-gen-nats.ts"), ...args],
      { cwd: repoRoot },
    );
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (status) =>
      resolve({ status, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString() }),
    );
    child.stdin.end(input);
  });
}

// Starting node with tsx takes a while on a busy machine: the three runs go in parallel.
describe("the protoc-gen-nats executable", { timeout: 180_000 }, () => {
  let good: Run;
  let bad: Run;
  let version: Run;

  beforeAll(async () => {
    const image = buildFixtureImage();
    const request = (file: string) =>
      toBinary(
        CodeGeneratorRequestSchema,
        create(CodeGeneratorRequestSchema, {
          fileToGenerate: [file],
          parameter: "target=ts",
          protoFile: image,
        }),
      );
    [good, bad, version] = await Promise.all([
      runBin(request("cross/v1/cross.proto")),
      runBin(request("errors/event_delivery.proto")),
      runBin(undefined, ["--version"]),
    ]);
  }, 180_000);

  it("answers a request with the generated files", () => {
    expect(good.stderr).toBe("");
    expect(good.status).toBe(0);
    const response = fromBinary(CodeGeneratorResponseSchema, good.stdout);
    expect(response.file.map((f) => f.name)).toEqual(["cross/v1/cross_nats.ts"]);
    expect(response.file[0]?.content).toContain("export function createBillingClient(");
  });

  it("fails with the problems on stderr", () => {
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(
      /^protoc-gen-nats: 3 problems with protonats options:\nerrors\/event_delivery\.proto:7:60: message errors\.event_delivery\.NotDurable: /,
    );
  });

  it("prints its version", () => {
    expect(version.stdout.toString()).toBe(`protoc-gen-nats ${pluginVersion}\n`);
  });
});
