import { createRegistry, type DescFile, type Registry } from "@bufbuild/protobuf";

/** Every type of a file and of the files it imports, for JSON of `Any` and error details. */
export function typesOf(file: DescFile): Registry {
  const files: DescFile[] = [];
  const seen = new Set<string>();
  const visit = (f: DescFile): void => {
    if (seen.has(f.name)) return;
    seen.add(f.name);
    files.push(f);
    for (const dep of f.dependencies) visit(dep);
  };
  visit(file);
  return createRegistry(...files);
}
