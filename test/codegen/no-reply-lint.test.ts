import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "./support/fixture-image.js";

// A fire-and-forget method written the way buf's default lint rules want
// (its own `<Method>Response`, no shared google.protobuf.Empty) passes
// `buf lint` and protoc-gen-nats accepts it.

const exec = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), "protonats-lint-"));

afterAll(() => rmSync(work, { recursive: true, force: true }));

const proto = `syntax = "proto3";

package audit.v1;

import "protonats/v1/options.proto";

// Records what happened.
service AuditService {
  // Records one entry; the caller does not wait.
  rpc Record(RecordRequest) returns (RecordResponse) {
    option (protonats.v1.method) = {no_reply: true};
  }
}

// One entry.
message RecordRequest {
  string what = 1;
}

// Never sent: no_reply.
message RecordResponse {}
`;

describe("no_reply and buf lint", { timeout: 60_000 }, () => {
  it("a no_reply method with its own field-less response passes buf lint (STANDARD) and generates", async () => {
    mkdirSync(join(work, "proto/audit/v1"), { recursive: true });
    writeFileSync(join(work, "proto/audit/v1/audit.proto"), proto);
    cpSync(join(repoRoot, "proto/protonats"), join(work, "options/protonats"), { recursive: true });
    writeFileSync(
      join(work, "buf.yaml"),
      "version: v2\nmodules:\n  - path: proto\n  - path: options\nlint:\n  use: [STANDARD]\n",
    );
    // The plugin from source, as this repository's buf.gen.yaml runs it.
    const tsx = pathToFileURL(join(repoRoot, "node_modules/tsx/dist/loader.mjs")).href;
    const bin = join(repoRoot, "codegen/bin/protoc-gen-nats.ts");
    writeFileSync(
      join(work, "buf.gen.yaml"),
      `version: v2\ninputs:\n  - directory: proto\nplugins:\n  - local: ["node", "--import", "${tsx}", "${bin}"]\n    out: gen\n    opt: [target=ts]\n`,
    );
    const buf = join(repoRoot, "node_modules/.bin/buf");
    const run = (args: string[]) =>
      exec(buf, args, { cwd: work }).then(
        () => "",
        (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ""}${e.stderr ?? ""}`,
      );
    expect(await run(["lint", "proto"])).toBe("");
    expect(await run(["generate"])).toBe("");
    expect(readFileSync(join(work, "gen/audit/v1/audit_nats.ts"), "utf8")).toContain(
      "No reply: the server sends no response",
    );
  });
});
