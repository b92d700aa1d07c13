import type { GeneratedFile } from "@bufbuild/protoplugin";
import type { FileModel } from "../model/file-model.js";
import type { RenderData } from "./helpers.js";
import { PrintableText } from "./printable-text.js";
import { fileTemplateOnce } from "./templates.js";

/** Renders the model of one .proto file into `out`. */
export function renderFile(model: FileModel, out: GeneratedFile): void {
  const text = new PrintableText();
  const data: RenderData = { file: out, text, globals: model.globals };
  const rendered = fileTemplateOnce()(model, { data });
  out.preamble(model.file);
  out.print(...text.resolve(rendered.trimEnd()));
}
