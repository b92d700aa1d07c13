import { fromBinary, type Registry, toJson } from "@bufbuild/protobuf";
import { CommanderError } from "commander";
import { Code, codeName } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import type { CliIo } from "./io.js";
import { type Colors, jsonLine } from "./output.js";

/** Any failure as an `RpcError`; usage mistakes are `InvalidArgument`. */
export function asRpcError(error: unknown): RpcError {
  if (error instanceof CommanderError)
    return new RpcError(Code.InvalidArgument, error.message.replace(/^error: /, ""));
  if (error instanceof RpcError) return error;
  if (error instanceof Error && error.name !== "AbortError" && error.name !== "TimeoutError") {
    return new RpcError(Code.Unknown, error.message, { cause: error });
  }
  return RpcError.from(error);
}

/** A detail decoded to JSON when its type is known, else its bytes in base64. */
function detailJson(detail: RpcError["details"][number], registry: Registry | undefined): unknown {
  const schema = registry?.getMessage(detail.typeName);
  if (schema) {
    try {
      return {
        "@type": detail.typeName,
        ...(toJson(schema, fromBinary(schema, detail.value), { registry }) as object),
      };
    } catch {
      // Undecodable: fall through to the raw bytes.
    }
  }
  return { "@type": detail.typeName, value: Buffer.from(detail.value).toString("base64") };
}

/**
 * Prints an error with its code, message and details (stderr; with `--json`
 * one JSON object) and returns the exit status: the code's number
 * (`not_found` → 5, `deadline_exceeded` → 4, ...).
 */
export function reportError(
  io: CliIo,
  c: Colors,
  json: boolean,
  error: unknown,
  registry?: Registry,
): number {
  const e = asRpcError(error);
  const details = e.details.map((d) => detailJson(d, registry));
  if (json) {
    io.writeError(jsonLine({ error: { code: codeName(e.code), message: e.rawMessage, details } }));
  } else {
    io.writeError(`${c.red(c.bold(`error (${codeName(e.code)})`))}: ${e.rawMessage}\n`);
    for (const d of details) io.writeError(`  ${c.dim("detail")} ${JSON.stringify(d)}\n`);
  }
  return e.code;
}
