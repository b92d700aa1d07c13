import { type DescMethod, getOption, hasOption } from "@bufbuild/protobuf";
import { method as methodOption } from "../../generated/protonats/v1/options_pb.js";
import { retrySafety } from "./retry-safety.js";

/** What the runtime needs to know about a method, read once from its descriptor. */
export interface MethodConfig {
  /** `/package.Service/Method`. */
  readonly path: string;
  /** `(protonats.v1.method).timeout_ms`, or undefined when unset or 0. */
  readonly timeoutMs: number | undefined;
  /** `(protonats.v1.method).idempotent`, or `idempotency_level` IDEMPOTENT / NO_SIDE_EFFECTS. */
  readonly idempotent: boolean;
  /** `(protonats.v1.method).no_reply`: fire and forget, the server answers nobody. */
  readonly noReply: boolean;
}

const configs = new WeakMap<DescMethod, MethodConfig>();

/** The method's configuration, cached per descriptor. */
export function methodConfig(method: DescMethod): MethodConfig {
  let config = configs.get(method);
  if (config === undefined) {
    const opt = hasOption(method, methodOption) ? getOption(method, methodOption) : undefined;
    config = {
      path: methodPath(method),
      timeoutMs: opt?.timeoutMs ? opt.timeoutMs : undefined,
      idempotent: retrySafety(method) !== undefined,
      noReply: opt?.noReply === true,
    };
    configs.set(method, config);
  }
  return config;
}

/** The wire name of a method: `/package.Service/Method`. */
export function methodPath(method: DescMethod): string {
  return `/${method.parent.typeName}/${method.name}`;
}
