import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Generated code imports the runtime by its package name, as in a user's project.
    alias: {
      // More specific names first: "protonats" would also match "protonats/protocol".
      "protonats/protocol": fileURLToPath(new URL("./runtime/protocol.ts", import.meta.url)),
      "protonats/testing": fileURLToPath(new URL("./runtime/memory/index.ts", import.meta.url)),
      protonats: fileURLToPath(new URL("./runtime/index.ts", import.meta.url)),
    },
  },
  test: {
    include: ["test/**/*.test.ts"],
    // Each test file starts its own nats-server processes; two cores cannot run many at once.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
