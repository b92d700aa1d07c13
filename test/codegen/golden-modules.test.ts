import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { DescMessage } from "@bufbuild/protobuf";
import type { EventDefinition } from "protonats/protocol";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./support/fixture-image.js";

// Generated modules run code when imported (defineEvent checks its subject
// against the message): every golden module must load, and every event must
// agree with the runtime about its subject.
const goldenDir = join(repoRoot, "test/codegen/golden");
const modules = readdirSync(goldenDir, { recursive: true, encoding: "utf8" })
  .filter((name) => name.endsWith("_nats.ts"))
  .sort();

function isEvent(value: unknown): value is EventDefinition<DescMessage> {
  return typeof value === "object" && value !== null && "pattern" in value && "schema" in value;
}

describe("generated modules load", () => {
  it("finds the golden modules", () => {
    expect(modules.length).toBeGreaterThanOrEqual(10);
  });

  for (const name of modules) {
    it(name, async () => {
      const exports = (await import(pathToFileURL(join(goldenDir, name)).href)) as Record<
        string,
        unknown
      >;
      expect(Object.keys(exports).length).toBeGreaterThan(0);
      for (const [exportName, value] of Object.entries(exports)) {
        if (exportName.endsWith("Event")) {
          expect(isEvent(value), exportName).toBe(true);
          if (!isEvent(value)) continue;
          expect(value.pattern()).toBe(value.options.subject.replace(/\{[^}]+\}/g, "*"));
        } else {
          expect(typeof value, exportName).toBe("function");
        }
      }
    });
  }
});
