import type { FileDescriptorProto } from "@bufbuild/protobuf/wkt";

// File names in the fixture image come from three modules: the protonats
// options (proto/), the good fixtures and the bad ones (all under errors/).
const notFixtures = ["google/", "protonats/", "example/", "errors/"];

/** Names of the good fixture files, in image (dependency) order. */
export function goodFixtures(files: FileDescriptorProto[]): string[] {
  return files.map((f) => f.name).filter((name) => !notFixtures.some((p) => name.startsWith(p)));
}

/** Names of the fixtures that must fail generation. */
export function badFixtures(files: FileDescriptorProto[]): string[] {
  return files.map((f) => f.name).filter((name) => name.startsWith("errors/"));
}
