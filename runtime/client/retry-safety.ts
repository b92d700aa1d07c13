import { type DescMethod, getOption, hasOption } from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { method as methodOption } from "../../generated/protonats/v1/options_pb.js";

/**
 * Whether a method may run twice: `"no-side-effects"` (`idempotency_level =
 * NO_SIDE_EFFECTS`), `"idempotent"` (`idempotency_level = IDEMPOTENT` or
 * `(protonats.v1.method).idempotent`), or undefined. The one statement of the
 * rule: the runtime retries by it and protoc-gen-nats documents it.
 */
export type RetrySafety = "no-side-effects" | "idempotent" | undefined;

export function retrySafety(method: DescMethod): RetrySafety {
  if (method.idempotency === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS) {
    return "no-side-effects";
  }
  if (method.idempotency === MethodOptions_IdempotencyLevel.IDEMPOTENT) return "idempotent";
  const marked = hasOption(method, methodOption) && getOption(method, methodOption).idempotent;
  return marked ? "idempotent" : undefined;
}
