import { spawn } from "node:child_process";
import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";

/**
 * Compiles the `.proto` files under `dir` to a serialized FileDescriptorSet
 * with `buf build` (found on PATH; `npm run cli` puts the project's own there).
 * Compiling protobuf is buf's or protoc's job, not something to redo here.
 */
export function buildProtoDir(dir: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const child = spawn("buf", ["build", dir, "--as-file-descriptor-set", "-o", "-"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      err += chunk;
    });
    child.once("error", (error) =>
      reject(
        new RpcError(
          Code.FailedPrecondition,
          `--proto needs buf on PATH (${error.message}); or build a set yourself and pass --descriptor-set`,
        ),
      ),
    );
    child.once("close", (code) => {
      if (code === 0) resolve(new Uint8Array(Buffer.concat(out)));
      else reject(new RpcError(Code.InvalidArgument, `buf build ${dir} failed: ${err.trim()}`));
    });
  });
}
