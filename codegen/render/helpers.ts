import type { DescMessage, DescService } from "@bufbuild/protobuf";
import type { GeneratedFile, Printable } from "@bufbuild/protoplugin";
import type { HelperDelegate, HelperOptions } from "handlebars";
import { emitCodec } from "../codec/emit-codec.js";
import type { PrintableText } from "./printable-text.js";
import { runtimeModuleOf } from "./runtime-package.js";

/** What helpers need while one file renders; passed as Handlebars `@data`. */
export interface RenderData {
  readonly file: GeneratedFile;
  readonly text: PrintableText;
  /** How this file spells `Promise` and `AsyncIterable` (see FileModel.globals). */
  readonly globals: Readonly<Record<string, string>>;
}

function data(options: HelperOptions): RenderData {
  return options.data as RenderData;
}

/** Positional helper arguments, without Handlebars' trailing options object. */
type Helper<A extends unknown[]> = (render: RenderData, ...args: A) => Printable;

function helper<A extends unknown[]>(fn: Helper<A>): HelperDelegate {
  return (...all: unknown[]) => {
    const options = all.pop() as HelperOptions;
    const render = data(options);
    return render.text.marker(fn(render, ...(all as A)));
  };
}

/**
 * Template helpers. Every identifier that refers to another module and
 * every piece of text that comes from a .proto goes through one of these,
 * so imports are added (and de-duplicated, aliased on clashes, dropped when
 * unused) by protoplugin and text is escaped by it.
 */
export const helpers: Record<string, HelperDelegate> = {
  /** A value imported from the protonats runtime: `{{runtime "createClient"}}`. */
  runtime: helper((r, name: string) => r.file.import(name, runtimeModuleOf(name))),
  /** A type imported from the protonats runtime: `{{runtimeType "CallOptions"}}`. */
  runtimeType: helper((r, name: string) => r.file.import(name, runtimeModuleOf(name), true)),
  /** A type imported from @bufbuild/protobuf: `{{protobufType "MessageInitShape"}}`. */
  protobufType: helper((r, name: string) => r.file.import(name, "@bufbuild/protobuf", true)),
  /** The protoc-gen-es descriptor of a message or service, as a value. */
  schema: helper((r, desc: DescMessage | DescService) => r.file.importSchema(desc)),
  /** The protoc-gen-es descriptor of a message, in a type position (`typeof X`). */
  schemaType: helper((r, desc: DescMessage) => r.file.importSchema(desc, true)),
  /** The protoc-gen-es message type (shape) of a message. */
  shape: helper((r, desc: DescMessage) => r.file.importShape(desc)),
  /** `export <declaration> <name>`, which protoplugin records as a local name. */
  export: helper((r, declaration: string, name: string) => r.file.export(declaration, name)),
  /** A JSDoc block; `indent` is prepended to each line. */
  doc: helper((r, text: string, indent: unknown) =>
    r.file.jsDoc(text, typeof indent === "string" ? indent : undefined),
  ),
  /** A global such as `Promise`, as `globalThis.Promise` where a message of that name shadows it. */
  global: helper((r, name: string) => r.globals[name] ?? name),
  /** The generated binary codec of a message and its registration. */
  codec: helper((r, desc: DescMessage) => emitCodec(r.file, desc)),
  /** A string, number or boolean literal. */
  literal: helper((r, value: string | number | boolean) =>
    typeof value === "string" ? r.file.string(value) : value,
  ),
};
