import type { Message } from "@bufbuild/protobuf";
import { type Diagnostic, diagnostic } from "../model/diagnostic.js";
import type { OptionHolder } from "../model/source-location.js";
import { pluginVersion } from "../version.js";

/**
 * A protonats option that sets fields this generator does not know was
 * written against a newer options.proto: generating anyway would silently
 * drop behaviour the author asked for.
 */
export function unknownFieldProblems(
  desc: OptionHolder,
  extension: string,
  options: Message,
): Diagnostic[] {
  return (options.$unknown ?? []).map((u) =>
    diagnostic(
      desc,
      `option (${extension}) sets field number ${u.no}, unknown to protoc-gen-nats ${pluginVersion}; upgrade the generator or remove the field`,
    ),
  );
}
