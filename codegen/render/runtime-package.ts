/** The package generated code imports the runtime from. */
export const runtimePackage = "protonats";
