/**
 * Version written into every generated file's header. Kept equal to the
 * package version (a test checks it), so a diff in generated code always
 * names the generator that caused it.
 */
export const pluginVersion = "v0.1.0";
