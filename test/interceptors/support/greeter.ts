import type { GreeterHandlers } from "../../../generated/example/greeter/v1/greeter_nats.js";
import { Code } from "../../../runtime/errors/code.js";
import { RpcError } from "../../../runtime/errors/rpc-error.js";

/**
 * A greeter for interceptor tests: `sayHello` fails with `InvalidArgument`
 * for an empty name, otherwise answers through `hello` (default: a greeting);
 * `sayHelloStream` sends `count` greetings.
 */
export function greeter(
  hello: GreeterHandlers["sayHello"] = (req) => ({ message: `Hello, ${req.name}` }),
): GreeterHandlers {
  return {
    sayHello(req, ctx) {
      if (req.name === "") throw new RpcError(Code.InvalidArgument, "name is required");
      return hello(req, ctx);
    },
    async *sayHelloStream(req) {
      for (let i = 0; i < req.count; i++) yield { message: `Hello #${i}, ${req.name}` };
    },
    async sayHelloToAll(requests) {
      const names: string[] = [];
      for await (const r of requests) names.push(r.name);
      return { message: `Hello, ${names.join(" and ")}` };
    },
    async *chat(requests) {
      for await (const r of requests) yield { message: `Hi ${r.name}` };
    },
  };
}
