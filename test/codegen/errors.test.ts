import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { create, setExtension } from "@bufbuild/protobuf";
import { WireType } from "@bufbuild/protobuf/wire";
import type { FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { beforeAll, describe, expect, it } from "vitest";
import { EventOptionsSchema, event } from "../../generated/protonats/v1/options_pb.js";
import { badFixturesDir, buildFixtureImage } from "./support/fixture-image.js";
import { badFixtures } from "./support/fixture-sets.js";
import { runNats } from "./support/run-plugins.js";

const badFixtureFiles = readdirSync(join(badFixturesDir, "errors"))
  .filter((name) => name.endsWith(".proto"))
  .map((name) => `errors/${name}`)
  .sort();

// Each bad fixture lists the exact errors generation must report, one
// "// expect: <message>" comment per error, in the order they are reported.
function expectedErrors(file: string): string[] {
  return readFileSync(join(badFixturesDir, file), "utf8")
    .split("\n")
    .map((line) => /^\s*\/\/ expect: (.*)$/.exec(line)?.[1])
    .filter((message): message is string => message !== undefined);
}

function generationError(image: FileDescriptorProto[], file: string): string {
  try {
    runNats(image, [file]);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`generation of ${file} succeeded but must fail`);
}

// A newer options.proto may add fields; this generator must refuse to drop them.
function addUnknownEventField(image: FileDescriptorProto[], file: string): void {
  const proto = image.find((f) => f.name === file)!;
  const options = proto.messageType[0]!.options!;
  const value = create(EventOptionsSchema, { subject: "future.happened" });
  value.$unknown = [{ no: 99, wireType: WireType.Varint, data: new Uint8Array([1]) }];
  setExtension(options, event, value);
}

describe("bad protonats options fail generation with a message naming file, line and element", () => {
  let image: FileDescriptorProto[];
  beforeAll(() => {
    image = buildFixtureImage();
    addUnknownEventField(image, "errors/unknown_option_field.proto");
  });

  it("compiles every bad fixture (they are valid .proto, only their protonats options are wrong)", () => {
    expect(badFixtures(image).sort()).toEqual(badFixtureFiles);
  });

  for (const file of badFixtureFiles) {
    it(file, () => {
      const expected = expectedErrors(file);
      expect(expected.length).toBeGreaterThan(0);
      const [heading, ...problems] = generationError(image, file).split("\n");
      expect(heading).toBe(
        `${expected.length} problem${expected.length === 1 ? "" : "s"} with protonats options:`,
      );
      expect(problems).toEqual(expected);
    });
  }
});
