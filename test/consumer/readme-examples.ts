import { readFileSync } from "node:fs";

/** A ```ts block of the README that imports protonats. */
export interface ReadmeExample {
  /** Line of the opening fence, for messages. */
  line: number;
  /** Where the tutorial puts it (`<!-- consumer-test:file src/x.ts -->`), if it is a tutorial file. */
  path: string | undefined;
  body: string;
}

/** Marks a block that is a fragment on purpose; keep these rare. */
export const skipMarker = "<!-- readme-typecheck:skip -->";

const block = /(?:(<!-- [^\n]*-->)\n)?```(?:ts|typescript)\n([\s\S]*?)```/g;
const importsProtonats = /from "protonats(?:\/[\w/.-]+)?"/;

/** The TypeScript examples of the README that import from the protonats package. */
export function readReadmeExamples(readmePath: string): ReadmeExample[] {
  const text = readFileSync(readmePath, "utf8");
  const examples: ReadmeExample[] = [];
  for (const match of text.matchAll(block)) {
    const [, marker, body] = match;
    if (marker === skipMarker || !importsProtonats.test(body!)) continue;
    const line = text.slice(0, match.index).split("\n").length + (marker ? 1 : 0);
    const path = /^<!-- consumer-test:file (\S+) -->$/.exec(marker ?? "")?.[1];
    examples.push({ line, path, body: body! });
  }
  return examples;
}
