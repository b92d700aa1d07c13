/**
 * The module generated code imports a runtime name from. The package's main
 * entry holds the application API, so names an application also types
 * (options, handler context) come from there; the building blocks generated
 * code is made of come from `protonats/protocol`. The golden type-check
 * (test/codegen) fails when a name is imported from an entry without it.
 */
export const runtimePackage = "protonats";
export const protocolPackage = "protonats/protocol";

/** Runtime names generated code uses that the main entry `protonats` exports. */
const mainEntryNames: ReadonlySet<string> = new Set([
  "CallOptions",
  "ClientOptions",
  "HandlerContext",
  "RuntimeLike",
  "ServiceOptions",
]);

/** The entry of the runtime package that exports `name`. */
export function runtimeModuleOf(name: string): string {
  return mainEntryNames.has(name) ? runtimePackage : protocolPackage;
}
