import { createEcmaScriptPlugin, type Schema } from "@bufbuild/protoplugin";
import { GenerationError } from "./model/diagnostic.js";
import { fileModel } from "./model/file-model.js";
import { renderFile } from "./render/render-file.js";
import { validateFile } from "./validate/validate-file.js";
import { pluginVersion } from "./version.js";

/**
 * protoc-gen-nats: for each .proto file with services or events, a
 * `<name>_nats.ts` next to protoc-gen-es's `<name>_pb.ts` with typed
 * clients, handler interfaces and typed events over the protonats runtime.
 * Takes the standard protoc-gen-es parameters (`target`, `import_extension`,
 * `js_import_style`, ...); `js` and `dts` are transpiled from the TypeScript.
 */
export const protocGenNats = createEcmaScriptPlugin({
  name: "protoc-gen-nats",
  version: pluginVersion,
  parseOptions,
  generateTs,
});

/** What `protoc-gen-nats` takes beyond the protoc-gen-es parameters. */
interface NatsOptions {
  /**
   * `codecs=generated` (default): per-message binary codecs, registered with
   * the runtime; `codecs=reflection`: none, every message goes through
   * protobuf-es reflection.
   */
  readonly codecs: boolean;
}

function parseOptions(raw: { key: string; value: string }[]): NatsOptions {
  let codecs = true;
  for (const { key, value } of raw) {
    if (key !== "codecs" || (value !== "generated" && value !== "reflection")) {
      throw new Error(`invalid option "${key}=${value}" (expected codecs=generated|reflection)`);
    }
    codecs = value === "generated";
  }
  return { codecs };
}

function generateTs(schema: Schema<NatsOptions>): void {
  // Validate everything first so that one run reports every problem.
  const problems = schema.files.flatMap(validateFile);
  if (problems.length > 0) throw new GenerationError(problems);
  for (const file of schema.files) {
    const model = fileModel(file, schema.options.codecs);
    if (model.services.length === 0 && model.events.length === 0) continue;
    renderFile(model, schema.generateFile(`${file.name}_nats.ts`));
  }
}
