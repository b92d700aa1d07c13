import type { DescMethod } from "@bufbuild/protobuf";
import { Code } from "../../errors/code.js";
import { RpcError } from "../../errors/rpc-error.js";
import type { Schemas } from "../schemas.js";

/** `Service/Method` (full or short service name) to the method's descriptor. */
export async function findMethod(schemas: Schemas, path: string): Promise<DescMethod> {
  const slash = path.lastIndexOf("/");
  if (slash <= 0 || slash === path.length - 1) {
    throw new RpcError(Code.InvalidArgument, `"${path}" is not <service>/<method>`);
  }
  const service = await schemas.service(path.slice(0, slash).replace(/^\//, ""));
  const name = path.slice(slash + 1);
  const method =
    service.methods.find((m) => m.name === name) ??
    service.methods.find((m) => m.name.toLowerCase() === name.toLowerCase());
  if (!method) {
    throw new RpcError(
      Code.NotFound,
      `service ${service.typeName} has no method "${name}" (it has ${service.methods.map((m) => m.name).join(", ")})`,
    );
  }
  return method;
}
