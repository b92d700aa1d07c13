import { readFileSync } from "node:fs";

/** The README's tutorial, as marked there with `<!-- consumer-test:... -->` comments. */
export interface Tutorial {
  /** Shell lines of the install step. */
  install: string[];
  /** Files of the project, by path. */
  files: Map<string, string>;
}

const marked = /<!-- consumer-test:(\w+)(?: (\S+))? -->\n```\w*\n([\s\S]*?)```/g;

/** Reads the tutorial from the README, so what the README says is what the test runs. */
export function readTutorial(readmePath: string): Tutorial {
  const text = readFileSync(readmePath, "utf8");
  const tutorial: Tutorial = { install: [], files: new Map() };
  for (const [, kind, path, body] of text.matchAll(marked)) {
    if (kind === "install") tutorial.install = body!.split("\n").filter((l) => l.trim() !== "");
    if (kind === "file") tutorial.files.set(path!, body!);
  }
  if (tutorial.install.length === 0 || tutorial.files.size === 0) {
    throw new Error(`${readmePath} has no consumer-test markers`);
  }
  return tutorial;
}

/**
 * Rewrites an install line: the two packages of this repository come from
 * their packed tarballs, and other packages get a version when one is pinned
 * (the oldest-versions run).
 */
export function rewriteInstall(line: string, versions: Map<string, string>): string {
  return line
    .split(" ")
    .map((word) => versions.get(word) ?? word)
    .join(" ");
}
