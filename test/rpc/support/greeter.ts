import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  Greeter,
  type SayHelloResponseSchema,
} from "../../../generated/example/greeter/v1/greeter_pb.js";
import { Code } from "../../../runtime/errors/code.js";
import { RpcError } from "../../../runtime/errors/rpc-error.js";
import type { ServiceHandlers } from "../../../runtime/service-types.js";

export { Greeter };

type Reply = MessageInitShape<typeof SayHelloResponseSchema>;

/**
 * The greeter as the tests serve it. A few names trigger behaviours the tests
 * need: "slow:<ms>" waits (watching its signal), "fail" throws an RpcError,
 * "crash" throws a plain Error.
 */
export function greeterHandlers(servedBy: string): ServiceHandlers<typeof Greeter> {
  return {
    async sayHello(req, ctx): Promise<Reply> {
      if (req.name === "") throw new RpcError(Code.InvalidArgument, "name is required");
      if (req.name === "crash") throw new Error("secret internal detail");
      if (req.name.startsWith("slow:")) await sleep(Number(req.name.slice(5)), ctx.signal);
      const greeting = ctx.requestHeader.greeting ?? "Hello";
      ctx.responseHeader["served-by"] = servedBy;
      ctx.responseTrailer.cost = "1";
      return { message: `${greeting}, ${req.name}`, servedBy };
    },
    async *sayHelloStream(req, ctx) {
      for (let i = 0; i < req.count; i++) {
        if (ctx.signal.aborted) return;
        yield { message: `Hello #${i}, ${req.name}`, servedBy };
      }
    },
    async sayHelloToAll(requests) {
      const names: string[] = [];
      for await (const r of requests) names.push(r.name);
      return { message: `Hello, ${names.join(" and ")}`, servedBy };
    },
    async *chat(requests) {
      for await (const r of requests) {
        if (r.name === "fail") throw new RpcError(Code.FailedPrecondition, "chat refused");
        yield { message: `Hi ${r.name}`, servedBy };
      }
    },
  };
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The test greeter with some handlers replaced (typed, unlike an object spread in place). */
export function greeterWith(
  servedBy: string,
  overrides: Partial<ServiceHandlers<typeof Greeter>>,
): ServiceHandlers<typeof Greeter> {
  return { ...greeterHandlers(servedBy), ...overrides };
}
