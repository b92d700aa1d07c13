import { create } from "@bufbuild/protobuf";
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
} from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { runNats } from "./support/run-plugins.js";

// Many files in one request, built as descriptors directly (as protoc sends
// them, here without source info): each file's service returns the next
// file's message, so every output imports from two files.
const count = 60;
const fileName = (i: number) => `many/v1/file_${i}.proto`;

function manyFiles(): FileDescriptorProto[] {
  const files: FileDescriptorProto[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const next = Math.min(i + 1, count - 1);
    files.push(
      create(FileDescriptorProtoSchema, {
        name: fileName(i),
        package: "many.v1",
        syntax: "proto3",
        dependency: next === i ? [] : [fileName(next)],
        messageType: [
          {
            name: `M${i}`,
            field: [
              {
                name: "id",
                number: 1,
                type: FieldDescriptorProto_Type.STRING,
                label: FieldDescriptorProto_Label.OPTIONAL,
                jsonName: "id",
              },
            ],
          },
        ],
        service: [
          {
            name: `S${i}`,
            method: [
              { name: "Call", inputType: `.many.v1.M${i}`, outputType: `.many.v1.M${next}` },
            ],
          },
        ],
      }),
    );
  }
  return files;
}

describe("a request with many files", () => {
  it("writes one _nats.ts per file, each importing exactly the files it uses", () => {
    const files = manyFiles();
    const out = runNats(
      files,
      files.map((f) => f.name),
      "target=ts,import_extension=js,codecs=reflection",
    );
    expect(out.size).toBe(count);
    for (let i = 0; i < count - 1; i++) {
      const ts = out.get(`many/v1/file_${i}_nats.ts`)!;
      expect(ts).toContain(`import type { M${i}, M${i}Schema } from "./file_${i}_pb.js";`);
      expect(ts).toContain(`import { S${i} } from "./file_${i}_pb.js";`);
      expect(ts).toContain(
        `import type { M${i + 1}, M${i + 1}Schema } from "./file_${i + 1}_pb.js";`,
      );
      expect(ts).toContain(
        `call(request: MessageInitShape<typeof M${i}Schema>, options?: CallOptions): Promise<M${i + 1}>;`,
      );
      // Two pb files (type and value imports of its own), protobuf, and the
      // runtime: types from "protonats", types and values from "protonats/protocol".
      expect(ts.match(/^import /gm)?.length).toBe(7);
    }
  });
});
