// Self size and count per constructor in a V8 heap snapshot, optionally as
// the difference from a baseline snapshot (what N open streams added):
//   tsx bench/tools/heap-summary.ts <after.heapsnapshot> [before.heapsnapshot] [divide-by]
import { readFileSync } from "node:fs";

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: (string[] | string)[] } };
  nodes: number[];
  strings: string[];
}

function perConstructor(file: string): Map<string, { count: number; size: number }> {
  const s = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
  const fields = s.snapshot.meta.node_fields;
  const width = fields.length;
  const typeAt = fields.indexOf("type");
  const nameAt = fields.indexOf("name");
  const sizeAt = fields.indexOf("self_size");
  const types = s.snapshot.meta.node_types[0] as string[];
  const out = new Map<string, { count: number; size: number }>();
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + typeAt] as number] ?? "?";
    const name =
      type === "object" || type === "closure"
        ? (s.strings[s.nodes[i + nameAt] as number] ?? "?")
        : `(${type})`;
    const key = type === "closure" ? `closure ${name}` : name;
    const entry = out.get(key) ?? { count: 0, size: 0 };
    entry.count++;
    entry.size += s.nodes[i + sizeAt] as number;
    out.set(key, entry);
  }
  return out;
}

const [afterFile, beforeFile, divideArg] = process.argv.slice(2) as [string, string?, string?];
const after = perConstructor(afterFile);
const before = beforeFile ? perConstructor(beforeFile) : new Map();
const divide = Number(divideArg ?? 1);
const rows = [...after].map(([name, a]) => {
  const b = before.get(name) ?? { count: 0, size: 0 };
  return { name, count: (a.count - b.count) / divide, size: (a.size - b.size) / divide };
});
rows.sort((x, y) => y.size - x.size);
const total = rows.reduce((t, r) => t + r.size, 0);
console.log(`total ${total.toFixed(0)} B${divide > 1 ? " per unit" : ""}`);
for (const r of rows.slice(0, 40)) {
  console.log(`${r.size.toFixed(0).padStart(8)} B  ${r.count.toFixed(2).padStart(8)} x  ${r.name}`);
}
