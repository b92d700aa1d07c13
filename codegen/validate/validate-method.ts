import type { DescMethod } from "@bufbuild/protobuf";
import type { MethodOptions } from "../../generated/protonats/v1/options_pb.js";
import { type Diagnostic, diagnostic } from "../model/diagnostic.js";

// Field numbers in protonats.v1.MethodOptions, to point errors at the field.
const field = { timeoutMs: 1, idempotent: 2, noReply: 3 } as const;

/**
 * Problems with the `(protonats.v1.method)` option of `rpc`. A no-reply
 * method has nothing to wait for and nothing to retry on, so it cannot have
 * a timeout or be marked idempotent (documented in options.proto).
 */
export function validateMethod(rpc: DescMethod, options: MethodOptions): Diagnostic[] {
  const problems: Diagnostic[] = [];
  if (!options.noReply) return problems;
  const report = (text: string, at: number) => problems.push(diagnostic(rpc, text, at));
  if (rpc.methodKind !== "unary") {
    report(
      `no_reply is only allowed on unary methods; ${rpc.name} is ${rpc.methodKind.replace("_", " ")}`,
      field.noReply,
    );
  }
  if (rpc.output.fields.length > 0) {
    report(
      `no_reply requires a response type without fields, e.g. \`message ${rpc.name}Response {}\` or google.protobuf.Empty (the caller never sees a response); ${rpc.name} returns ${rpc.output.typeName}`,
      field.noReply,
    );
  }
  if (options.timeoutMs > 0) {
    report(
      "no_reply contradicts timeout_ms: a call that waits for no reply has no deadline to wait for",
      field.timeoutMs,
    );
  }
  if (options.idempotent) {
    report(
      "no_reply contradicts idempotent: a call without a reply never learns it failed, so it is never retried",
      field.idempotent,
    );
  }
  return problems;
}
