// Part of the package build: tsc compiles the plugin to dist/, but the
// Handlebars templates are read at run time from next to the compiled modules,
// so they are copied there; the bin gets its executable bit. The options file
// users import in their .proto files is copied from its one source,
// proto/protonats/v1/options.proto at the repository root, into proto/ of this
// package (buf.yaml: `- path: node_modules/protoc-gen-nats/proto`).
import { chmodSync, cpSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

cpSync(here("templates/"), here("dist/codegen/templates/"), { recursive: true });
cpSync(here("../proto/protonats/"), here("proto/protonats/"), { recursive: true });

const bin = here("dist/codegen/bin/protoc-gen-nats.js");
if (existsSync(bin)) chmodSync(bin, 0o755);
