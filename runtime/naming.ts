import type { DescMethod } from "@bufbuild/protobuf";

/**
 * Property names that would change how JavaScript treats a client or handler
 * object if a method took them: `then` makes an object a thenable (so
 * `await client` would call the RPC), `__proto__` rewrites the prototype, and
 * the other members of `Object.prototype` are called by libraries on any
 * object (`obj.hasOwnProperty(k)` must not become an RPC). protobuf-es already
 * escapes `constructor`, `toString`, `toJSON`, `valueOf`; the type `SafeKey`
 * in service-types.ts lists the same names.
 */
export const unsafeMethodKeys: ReadonlySet<string> = new Set([
  "then",
  "__proto__",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toLocaleString",
  "__defineGetter__",
  "__defineSetter__",
  "__lookupGetter__",
  "__lookupSetter__",
]);

/**
 * The property name under which a method appears on generated clients and
 * handler objects. Shared by the code generator and the runtime so that both
 * always agree.
 */
export function methodKey(method: Pick<DescMethod, "localName">): string {
  return unsafeMethodKeys.has(method.localName) ? `${method.localName}$` : method.localName;
}
