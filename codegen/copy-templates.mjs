// Part of `npm run build`: tsc compiles the plugin to dist/, but the Handlebars
// templates are read at run time from next to the compiled modules, so they
// are copied there; the bin gets its executable bit for running it in place.
import { chmodSync, cpSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = new URL("../", import.meta.url);
const from = fileURLToPath(new URL("codegen/templates/", root));
const to = fileURLToPath(new URL("dist/codegen/templates/", root));
cpSync(from, to, { recursive: true });

const bin = fileURLToPath(new URL("dist/codegen/bin/protoc-gen-nats.js", root));
if (existsSync(bin)) chmodSync(bin, 0o755);
