import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { DescMessage } from "@bufbuild/protobuf";
import { repoRoot } from "../codegen/support/fixture-image.js";

const goldenDir = join(repoRoot, "test/codegen/golden");

function isMessageSchema(value: unknown): value is DescMessage {
  return (
    typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "message"
  );
}

/**
 * Loads every golden module (the `_nats.ts` ones register their codecs) and
 * returns the message schemas of the `_pb.ts` ones, by type name.
 */
export async function loadGoldenSchemas(): Promise<Map<string, DescMessage>> {
  const names = readdirSync(goldenDir, { recursive: true, encoding: "utf8" })
    .filter((n) => n.endsWith("_pb.ts") || n.endsWith("_nats.ts"))
    .sort();
  const schemas = new Map<string, DescMessage>();
  for (const name of names) {
    const exports = (await import(pathToFileURL(join(goldenDir, name)).href)) as Record<
      string,
      unknown
    >;
    for (const value of Object.values(exports)) {
      if (isMessageSchema(value)) schemas.set(value.typeName, value);
    }
  }
  return schemas;
}

/** Golden messages that exercise every field kind the generated codecs cover. */
export const covered = [
  "codec.v1.Scalars",
  "codec.v1.Optionals",
  "codec.v1.Repeated",
  "codec.v1.Maps",
  "codec.v1.Oneofs",
  "codec.v1.Tree",
  "codec.v1.Tree.Leaf",
  "codec.v1.WellKnown",
  "codec.v1.HoldsFallback",
  "codec.v1.Implicit",
  "codec.v1.Explicit",
  "codec.v1.WithClosedEnum",
  "codec.v1.Legacy",
  "codec.v1.Legacy.Inner",
  "codec.v1.WithWrapper",
  "codec.v1.Wrappers",
  "codec.v1.Delimited",
  "codec.v1.Legacy.Extra",
  "codec.v1.Legacy.Entry",
];
