import { readFileSync } from "node:fs";
import Handlebars from "handlebars";
import { helpers } from "./helpers.js";

/**
 * The compiled templates. They are found next to this module (in
 * `../templates/`), which holds both when running from the TypeScript
 * sources and from `dist/` (the build copies the .hbs files there).
 */
function load(name: string): string {
  return readFileSync(new URL(`../templates/${name}.hbs`, import.meta.url), "utf8");
}

function compileTemplates(): Handlebars.TemplateDelegate {
  const hb = Handlebars.create();
  hb.registerHelper(helpers);
  const compile = (name: string) => hb.compile(load(name), { noEscape: true, strict: true });
  for (const partial of ["service", "clientMethod", "handlerMethod", "event"]) {
    hb.registerPartial(partial, compile(partial));
  }
  // Used inside a line, so without the newline that ends the file.
  hb.registerPartial("init", hb.compile(load("init").trimEnd(), { noEscape: true, strict: true }));
  return compile("file");
}

let fileTemplate: Handlebars.TemplateDelegate | undefined;

/** The template of a whole `_nats.ts` file, compiled on first use. */
export function fileTemplateOnce(): Handlebars.TemplateDelegate {
  fileTemplate ??= compileTemplates();
  return fileTemplate;
}
