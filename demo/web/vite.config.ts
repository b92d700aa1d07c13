import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// The page imports the runtime by its package name, as a user's app does; in
// this repository that is the portable entry (the one `exports` gives browsers).
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  resolve: {
    alias: {
      // More specific names first: "protonats" would also match "protonats/protocol".
      "protonats/protocol": fileURLToPath(
        new URL("../../runtime/protocol-portable.ts", import.meta.url),
      ),
      protonats: fileURLToPath(new URL("../../runtime/portable.ts", import.meta.url)),
    },
  },
  build: { target: "es2022", outDir: "dist", emptyOutDir: true },
  clearScreen: false,
});
