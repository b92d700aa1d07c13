import { createRequire } from "node:module";
import { create } from "@bufbuild/protobuf";
import { CodeGeneratorRequestSchema, type FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import type { Plugin } from "@bufbuild/protoplugin";
import { protocGenNats } from "../../../codegen/plugin.js";

// protoc-gen-es publishes its plugin only as CommonJS, behind its bin script.
const require = createRequire(import.meta.url);
const { protocGenEs } = require("@bufbuild/protoc-gen-es/dist/cjs/src/protoc-gen-es-plugin.js") as {
  protocGenEs: Plugin;
};

/** Parameter used for the golden files: the one in this repository's buf.gen.yaml. */
export const goldenParameter = "target=ts,import_extension=js";

/** Runs `plugin` in-process as protoc or buf would, returning file name → content. */
export function runPlugin(
  plugin: Plugin,
  protoFiles: FileDescriptorProto[],
  fileToGenerate: string[],
  parameter = goldenParameter,
): Map<string, string> {
  const request = create(CodeGeneratorRequestSchema, {
    fileToGenerate,
    parameter,
    protoFile: protoFiles,
  });
  const response = plugin.run(request);
  if (response.error !== undefined && response.error.length > 0) throw new Error(response.error);
  return new Map(response.file.map((f) => [f.name, f.content]));
}

/** protoc-gen-nats, in-process. */
export function runNats(
  protoFiles: FileDescriptorProto[],
  files: string[],
  parameter?: string,
): Map<string, string> {
  return runPlugin(protocGenNats, protoFiles, files, parameter);
}

/** protoc-gen-es, in-process, for the `_pb.ts` files generated code imports. */
export function runEs(
  protoFiles: FileDescriptorProto[],
  files: string[],
  parameter?: string,
): Map<string, string> {
  return runPlugin(protocGenEs, protoFiles, files, parameter);
}
