import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// The package's entries against the README's "API" section: every name the
// main entry `protonats` exports is listed there with one line, nothing else
// is, and the list stays short; every name of `protonats/protocol` is named in
// its (grouped) list. Names marked *(Node)* are exactly those the Node entry
// adds to the portable one.
const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const entries = {
  main: repo("runtime/index.ts"),
  mainPortable: repo("runtime/portable.ts"),
  protocol: repo("runtime/protocol.ts"),
  protocolPortable: repo("runtime/protocol-portable.ts"),
};
const maxMainNames = 45;

/** Names (values and types) each entry exports, as the TypeScript compiler sees them. */
function exportedNames(): Record<keyof typeof entries, Set<string>> {
  const program = ts.createProgram(Object.values(entries), {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const namesOf = (file: string) => {
    const source = program.getSourceFile(file);
    const symbol = source && checker.getSymbolAtLocation(source);
    if (!symbol) throw new Error(`cannot read the exports of ${file}`);
    return new Set(checker.getExportsOfModule(symbol).map((s) => s.name));
  };
  return {
    main: namesOf(entries.main),
    mainPortable: namesOf(entries.mainPortable),
    protocol: namesOf(entries.protocol),
    protocolPortable: namesOf(entries.protocolPortable),
  };
}

interface ListedLine {
  names: string[];
  nodeOnly: boolean;
}

/** The `- \`name\`, \`name\` *(Node)* — text` lines under `### <heading>` of the README's API section. */
function listedIn(readme: string, heading: string): ListedLine[] {
  const api = /\n## API\n([\s\S]*?)(?=\n## )/.exec(readme)?.[1];
  if (api === undefined) throw new Error("README.md has no ## API section");
  const start = api.indexOf(`\n### ${heading}\n`);
  if (start < 0) throw new Error(`README.md's API section has no ### ${heading}`);
  const body = api.slice(start + heading.length + 6).split(/\n### /)[0] ?? "";
  return body
    .split("\n")
    .filter((line) => line.startsWith("- `"))
    .map((line) => {
      const lead = line.split(" — ")[0] ?? "";
      const names = [...lead.matchAll(/`([A-Za-z_$][\w$]*)/g)].map((m) => m[1] as string);
      return { names, nodeOnly: lead.includes("*(Node)*") };
    });
}

const sorted = (names: Iterable<string>) => [...names].sort();
const minus = (a: Set<string>, b: Set<string>) => sorted([...a].filter((n) => !b.has(n)));

describe("the public API and the README's list of it", () => {
  const names = exportedNames();
  const readme = readFileSync(repo("README.md"), "utf8");
  const main = listedIn(readme, "`protonats`");
  const protocol = listedIn(readme, "`protonats/protocol`");

  it("reads the entries (values at run time are among the names the compiler sees)", async () => {
    const runtimeValues = Object.keys(await import("../../runtime/index.js"));
    expect(runtimeValues.length).toBeGreaterThan(10);
    expect(minus(new Set(runtimeValues), names.main)).toEqual([]);
    const protocolValues = Object.keys(await import("../../runtime/protocol.js"));
    expect(protocolValues.length).toBeGreaterThan(10);
    expect(minus(new Set(protocolValues), names.protocol)).toEqual([]);
  });

  it("keeps the main entry short", () => {
    expect(names.main.size).toBeLessThanOrEqual(maxMainNames);
  });

  it("lists every name of the main entry once, one per line, and no other", () => {
    expect(main.every((line) => line.names.length === 1)).toBe(true);
    const listed = main.flatMap((line) => line.names);
    expect(listed.length).toBe(new Set(listed).size);
    expect(sorted(listed)).toEqual(sorted(names.main));
  });

  it("marks exactly the Node-only names of the main entry *(Node)*", () => {
    expect(minus(names.mainPortable, names.main)).toEqual([]);
    const marked = main.filter((line) => line.nodeOnly).flatMap((line) => line.names);
    expect(sorted(marked)).toEqual(minus(names.main, names.mainPortable));
  });

  it("names every name of protonats/protocol, and only those", () => {
    const listed = new Set(protocol.flatMap((line) => line.names));
    expect(minus(names.protocol, listed)).toEqual([]);
    expect(minus(listed, names.protocol)).toEqual([]);
  });

  it("marks exactly the Node-only names of protonats/protocol *(Node)*", () => {
    expect(minus(names.protocolPortable, names.protocol)).toEqual([]);
    const marked = protocol.filter((line) => line.nodeOnly).flatMap((line) => line.names);
    expect(sorted(marked)).toEqual(minus(names.protocol, names.protocolPortable));
  });

  it("exports each name from one entry only", () => {
    expect(sorted([...names.main].filter((n) => names.protocol.has(n)))).toEqual([]);
  });
});
