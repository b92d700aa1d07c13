/**
 * The well-known symbol `await using` calls. Node has it from 20.4 on; on an
 * older Node the registered symbol that TypeScript's own helpers fall back to
 * stands in, so the runtime never patches the global `Symbol`.
 */
export const asyncDispose: typeof Symbol.asyncDispose =
  Symbol.asyncDispose ?? (Symbol.for("Symbol.asyncDispose") as typeof Symbol.asyncDispose);
