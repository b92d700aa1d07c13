import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The runtime's layering, checked on its own imports: the core (everything but
// the NATS adapter, the CLI and the entry points) names no NATS code, and no
// two files import each other in a loop.
const runtimeDir = fileURLToPath(new URL("../../runtime/", import.meta.url));
const adapterOrTool = /^(nats|cli)\//;
const entryPoints = new Set(["index.ts", "portable.ts", "protocol.ts", "protocol-portable.ts"]);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === "dist" || entry.name === "node_modules" ? [] : sources(path);
    return entry.name.endsWith(".ts") ? [relative(runtimeDir, path)] : [];
  });
}

/** Specifiers of value and type imports and re-exports (`import`, `export ... from`). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(runtimeDir, file), "utf8");
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^;]*?from\s*["']([^"']+)["']/g)].map(
    (m) => m[1] as string,
  );
}

function resolveLocal(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  return normalize(join(dirname(file), specifier)).replace(/\.js$/, ".ts");
}

const files = sources(runtimeDir);
const graph = new Map(
  files.map((f) => [
    f,
    importsOf(f)
      .map((s) => resolveLocal(f, s))
      .filter((s): s is string => s !== undefined),
  ]),
);

describe("runtime layering", () => {
  it("the core imports neither the NATS adapter nor the NATS client", () => {
    const offences = files
      .filter((f) => !adapterOrTool.test(f) && !entryPoints.has(f))
      .flatMap((f) =>
        importsOf(f)
          .filter((s) => s.startsWith("@nats-io/") || resolveLocal(f, s)?.startsWith("nats/"))
          .map((s) => `${f} -> ${s}`),
      );
    expect(offences).toEqual([]);
  });

  it("no runtime files import each other in a loop", () => {
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (f: string) => {
      state.set(f, "open");
      stack.push(f);
      for (const next of graph.get(f) ?? []) {
        if (state.get(next) === "open")
          cycles.push([...stack.slice(stack.indexOf(next)), next].join(" -> "));
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(f, "done");
    };
    for (const f of files) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it("finds imports at all (the check itself reads the tree)", () => {
    expect(files.length).toBeGreaterThan(50);
    expect(graph.get("nats/nats-runtime.ts")).toContain("runtime.ts");
  });
});
