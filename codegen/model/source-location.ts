import type { DescMessage, DescMethod, DescService } from "@bufbuild/protobuf";
import { getComments } from "@bufbuild/protoplugin";

/** An element that carries protonats options. */
export type OptionHolder = DescMessage | DescService | DescMethod;

/** Where something is in a .proto file, 1-based as editors show it. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
}

// Field number of `options` in DescriptorProto, ServiceDescriptorProto and
// MethodDescriptorProto; the path of an option is the element's path + these.
const optionsField: Record<OptionHolder["kind"], number> = { message: 7, service: 3, rpc: 4 };
const protonatsExtension = 51501;

/**
 * The position of an element, or of its protonats option (or one field of
 * it) when the compiler recorded one: the closer the better for an error
 * message, falling back to the element itself.
 */
export function positionOf(desc: OptionHolder, optionField?: number): SourcePosition {
  const elementPath = getComments(desc).sourcePath;
  const optionPath = [...elementPath, optionsField[desc.kind], protonatsExtension];
  const candidates = [
    ...(optionField === undefined ? [] : [[...optionPath, optionField]]),
    optionPath,
    elementPath,
  ];
  const file = desc.kind === "rpc" ? desc.parent.file : desc.file;
  const fileName = `${file.name}.proto`;
  const locations = file.proto.sourceCodeInfo?.location ?? [];
  for (const path of candidates) {
    const found = locations.find((l) => samePath(l.path, path));
    if (found !== undefined) {
      return { file: fileName, line: found.span[0]! + 1, column: found.span[1]! + 1 };
    }
  }
  return { file: fileName, line: undefined, column: undefined };
}

function samePath(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}
