import { type OptionHolder, positionOf } from "./source-location.js";

/** One problem found in the input, with the place it comes from. */
export interface Diagnostic {
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  /** The element, e.g. `rpc example.v1.Greeter.SayHello`. */
  readonly element: string;
  readonly message: string;
}

/** Builds a diagnostic for an element (or a field of its protonats option). */
export function diagnostic(desc: OptionHolder, message: string, optionField?: number): Diagnostic {
  return { ...positionOf(desc, optionField), element: desc.toString(), message };
}

/** `file:line:column: element: message`, the format compilers and editors understand. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = [d.file, d.line, d.column].filter((p) => p !== undefined).join(":");
  return `${where}: ${d.element}: ${d.message}`;
}

/**
 * Thrown when the input cannot be generated. Lists every problem found, so
 * one run reports them all instead of one per attempt.
 */
export class GenerationError extends Error {
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: readonly Diagnostic[]) {
    // A heading line, then one problem per line in the form editors link to.
    const count = diagnostics.length === 1 ? "1 problem" : `${diagnostics.length} problems`;
    super([`${count} with protonats options:`, ...diagnostics.map(formatDiagnostic)].join("\n"));
    this.name = "GenerationError";
    this.diagnostics = diagnostics;
  }
}
