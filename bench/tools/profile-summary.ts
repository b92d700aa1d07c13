// Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time per
// function and per file, so the hot paths of a benchmark peer can be read in
// a terminal. Usage: tsx bench/tools/profile-summary.ts <file.cpuprofile> [top]
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2) as [string, string | undefined];
const top = Number(topArg ?? 40);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

const shortUrl = (url: string) =>
  url
    .replace(/^file:\/\/\/work\/main\//, "")
    .replace(/^.*node_modules\//, "nm/")
    .replace(/^node:/, "node:");
const perFunction = new Map<string, number>();
const perFile = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id);
  if (!node) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = shortUrl(url) || "(native)";
  const key = `${functionName || "(anonymous)"}  ${where}:${lineNumber + 1}`;
  perFunction.set(key, (perFunction.get(key) ?? 0) + us);
  perFile.set(where, (perFile.get(where) ?? 0) + us);
}
const show = (title: string, map: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((us / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
  }
};
// Inclusive time: a function's own samples plus its callees' (counted once per stack).
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const keyOf = (node: ProfileNode) =>
  `${node.callFrame.functionName || "(anonymous)"}  ${shortUrl(node.callFrame.url) || "(native)"}:${node.callFrame.lineNumber + 1}`;
const inclusive = new Map<string, number>();
for (const [id, us] of selfUs) {
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const node = byId.get(cur);
    if (!node) break;
    const key = keyOf(node);
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + us);
  }
}
/** Who calls a function (by name), weighted by the function's self time. */
const callersOf = (name: string) => {
  const callers = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName !== name) continue;
    const chain: string[] = [];
    for (let cur = parent.get(id); cur !== undefined && chain.length < 6; cur = parent.get(cur)) {
      const p = byId.get(cur);
      if (p) chain.push(keyOf(p).replace(/\s+/g, " "));
    }
    const key = chain.join(" <- ");
    callers.set(key, (callers.get(key) ?? 0) + us);
  }
  return callers;
};
console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled`);
show("self time by function", perFunction);
show("self time by file", perFile);
show("inclusive time by function", inclusive);
for (const name of (process.env.CALLERS ?? "").split(",").filter(Boolean)) {
  show(`callers of ${name}`, callersOf(name));
}
