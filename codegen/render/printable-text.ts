import type { Printable } from "@bufbuild/protoplugin";

/**
 * Lets a Handlebars template emit protoplugin printables (import symbols,
 * JSDoc blocks, string literals, export statements) although Handlebars
 * only produces text: a helper stores the printable and returns a marker;
 * after rendering, the text is split at the markers and handed to
 * `GeneratedFile.print` with the printables put back. Only identifiers and
 * template text appear between markers, never text from a .proto file, so
 * the marker characters (Unicode private use) cannot collide.
 */
export class PrintableText {
  private readonly printables: Printable[] = [];

  /** The marker that stands for `printable` in rendered text. */
  marker(printable: Printable): string {
    this.printables.push(printable);
    return `\u{E000}${this.printables.length - 1}\u{E001}`;
  }

  /** Rendered text with its markers replaced by the printables they stand for. */
  resolve(text: string): Printable[] {
    const parts: Printable[] = [];
    const pattern = /\u{E000}(\d+)\u{E001}/gu;
    let last = 0;
    for (const match of text.matchAll(pattern)) {
      if (match.index > last) parts.push(text.substring(last, match.index));
      parts.push(this.printables[Number(match[1])]!);
      last = match.index + match[0].length;
    }
    if (last < text.length) parts.push(text.substring(last));
    return parts;
  }
}
