import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../codegen/support/fixture-image.js";
import { runEs, runNats } from "../codegen/support/run-plugins.js";
import { readReadmeExamples } from "./readme-examples.js";
import { readTutorial } from "./readme-tutorial.js";

// Every ```ts block of the README that imports protonats, type-checked against
// the package's entries as they are in this checkout (no packing, unlike
// consumer.test.ts): the tutorial's files where the tutorial puts them, with
// the code generated from its .proto; other blocks beside them, where
// `./gen/example/...` is this repository's example code. A block that is a
// fragment on purpose carries `<!-- readme-typecheck:skip -->`.
const readme = join(repoRoot, "README.md");
const buf = join(repoRoot, "node_modules/.bin/buf");
const tsc = join(repoRoot, "node_modules/.bin/tsc");
// What the tutorial's buf.gen.yaml asks of each plugin.
const esParameter =
  "target=ts,import_extension=js,rewrite_imports=./protonats/**/*_pb.js:protonats";
const natsParameter = "target=ts,import_extension=js";

/** The tutorial's .proto files compiled with buf, then both plugins run on them into `src/gen/`. */
function generateTutorialCode(dir: string, protos: Map<string, string>): void {
  for (const [path, body] of protos) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), body);
  }
  const options = join(dir, "deps/protonats/v1/options.proto");
  mkdirSync(dirname(options), { recursive: true });
  copyFileSync(join(repoRoot, "proto/protonats/v1/options.proto"), options);
  writeFileSync(join(dir, "buf.yaml"), "version: v2\nmodules:\n  - path: proto\n  - path: deps\n");
  const image = join(dir, "image.binpb");
  const built = spawnSync(buf, ["build", ".", "-o", image], { cwd: dir, encoding: "utf8" });
  if (built.status !== 0) throw new Error(`buf build failed:\n${built.stderr}`);
  const files = fromBinary(FileDescriptorSetSchema, readFileSync(image)).file;
  const toGenerate = [...protos.keys()].map((p) => relative("proto", p));
  const generated = [
    ...runEs(files, toGenerate, esParameter),
    ...runNats(files, toGenerate, natsParameter),
  ];
  for (const [name, content] of generated) {
    mkdirSync(dirname(join(dir, "src/gen", name)), { recursive: true });
    writeFileSync(join(dir, "src/gen", name), content);
  }
}

describe("the README's TypeScript examples", () => {
  mkdirSync(join(repoRoot, ".vitest-tmp"), { recursive: true });
  const dir = mkdtempSync(join(repoRoot, ".vitest-tmp/readme-ts-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("type-check against protonats, protonats/protocol and protonats/testing", () => {
    const tutorial = readTutorial(readme);
    const examples = readReadmeExamples(readme);
    // The tutorial's three files and at least the unit-test, browser and permission examples.
    expect(examples.filter((e) => e.path !== undefined).length).toBe(3);
    expect(examples.length).toBeGreaterThanOrEqual(6);

    const protos = new Map([...tutorial.files].filter(([path]) => path.endsWith(".proto")));
    generateTutorialCode(dir, protos);
    for (const generated of ["example", "protonats"]) {
      cpSync(join(repoRoot, "generated", generated), join(dir, "src/gen", generated), {
        recursive: true,
      });
    }
    const names = new Map<string, number>();
    for (const example of examples) {
      const path = example.path ?? `src/readme-line-${example.line}.ts`;
      names.set(path, example.line);
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), example.body);
    }

    // The tutorial's own compiler options, checking only, with the package's
    // entries mapped to this checkout's sources.
    const tutorialConfig = JSON.parse(tutorial.files.get("tsconfig.json") ?? "{}") as {
      compilerOptions: Record<string, unknown>;
    };
    const {
      rootDir: _rootDir,
      outDir: _outDir,
      ...compilerOptions
    } = tutorialConfig.compilerOptions;
    const runtime = (path: string) => [join(repoRoot, path)];
    const tsconfig = {
      compilerOptions: {
        ...compilerOptions,
        noEmit: true,
        skipLibCheck: true,
        paths: {
          "protonats/protocol": runtime("runtime/protocol.ts"),
          "protonats/testing": runtime("runtime/memory/index.ts"),
          "protonats/protonats/v1/options_pb.js": runtime("generated/protonats/v1/options_pb.ts"),
          protonats: runtime("runtime/index.ts"),
        },
      },
      include: ["src"],
    };
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));

    const result = spawnSync(tsc, ["-p", join(dir, "tsconfig.json"), "--pretty", "false"], {
      cwd: dir,
      encoding: "utf8",
      timeout: 110_000,
    });
    expect(result.error).toBeUndefined();
    // Errors name the README line of the block they are in.
    const errors = result.stdout.replace(/^(src\/[\w/.-]+\.ts)/gm, (path) =>
      names.has(path) ? `README.md block at line ${names.get(path)} (${path})` : path,
    );
    expect(errors).toBe("");
    expect(result.status).toBe(0);
  }, 120_000);
});
