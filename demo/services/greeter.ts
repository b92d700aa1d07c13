import type { GreeterHandlers } from "../../generated/example/greeter/v1/greeter_nats.js";
import { Code, RpcError } from "../../runtime/index.js";

/** The example greeter; `instance` names the server that answered, to show load balancing. */
export function greeter(instance: string): GreeterHandlers {
  const greet = (name: string) => {
    if (!name) throw new RpcError(Code.InvalidArgument, "name is required");
    return { message: `Hello, ${name}!`, servedBy: instance };
  };
  return {
    async sayHello(request) {
      return greet(request.name);
    },
    async *sayHelloStream(request, context) {
      for (let i = 1; i <= request.count; i++) {
        if (context.signal.aborted) return;
        yield { message: `Hello #${i}, ${request.name}!`, servedBy: instance };
      }
    },
    async sayHelloToAll(requests) {
      const names: string[] = [];
      for await (const request of requests) names.push(greet(request.name).message);
      return { message: names.join(" "), servedBy: instance };
    },
    async *chat(requests) {
      for await (const request of requests) yield greet(request.name);
    },
  };
}
