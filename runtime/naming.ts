import type { DescMethod } from "@bufbuild/protobuf";

/**
 * Property names that would change how JavaScript treats a client or handler
 * object if a method took them: `then` makes an object a thenable (so
 * `await client` would call the RPC), `__proto__` rewrites the prototype.
 * protobuf-es already escapes `constructor`, `toString`, `toJSON`, `valueOf`.
 */
const unsafeKeys = new Set(["then", "__proto__"]);

/**
 * The property name under which a method appears on generated clients and
 * handler objects. Shared by the code generator and the runtime so that both
 * always agree.
 */
export function methodKey(method: Pick<DescMethod, "localName">): string {
  return unsafeKeys.has(method.localName) ? `${method.localName}$` : method.localName;
}
