import type { DescMessage, DescMethod, DescService } from "@bufbuild/protobuf";
import { parentTypes } from "@bufbuild/protobuf/reflect";
import { getComments } from "@bufbuild/protoplugin";

/**
 * JSDoc text for a generated declaration, in the layout protoc-gen-es uses
 * (proto comments, then notes, then `@generated from ...` and `@deprecated`)
 * so both plugins' output reads the same. `*\/` is escaped when printed by
 * protoplugin's jsDoc; nothing else in a block comment needs escaping.
 */
export function docText(
  desc: DescService | DescMethod | DescMessage,
  notes: readonly string[] = [],
  withComments = true,
): string {
  const comments = getComments(desc);
  const paragraphs: string[] = [];
  for (const comment of withComments ? [comments.leading, comments.trailing] : []) {
    if (comment === undefined) continue;
    const text = comment
      .replace(/\n$/, "")
      .split("\n")
      .map((line) => (line.startsWith(" ") ? line.substring(1) : line))
      .join("\n");
    if (text.trim().length > 0) paragraphs.push(text);
  }
  if (notes.length > 0) paragraphs.push(notes.join("\n"));
  const tags = [`@generated from ${desc.toString()}`];
  if (isDeprecated(desc)) tags.push("@deprecated");
  paragraphs.push(tags.join("\n"));
  return paragraphs.join("\n\n");
}

function isDeprecated(desc: DescService | DescMethod | DescMessage): boolean {
  // A method is deprecated on its own; a message or service also when its file or parent is.
  if (desc.kind === "rpc") return desc.deprecated;
  return desc.deprecated || parentTypes(desc).some((parent) => parent.deprecated);
}
