import {
  createGreeterClient,
  defineGreeter,
  type GreeterClient,
} from "../../../generated/example/greeter/v1/greeter_nats.js";
import type { Interceptor } from "../../../runtime/interceptor.js";
import type { HandlerContext } from "../../../runtime/server/handler-context.js";
import { serve } from "../../../runtime/server/serve.js";
import type { NatsSuite } from "../../support/nats-suite.js";
import { greeter } from "./greeter.js";

/** Sees the request headers and context of one hop's handler while it runs. */
export type HopProbe = (context: HandlerContext) => void;

/**
 * Greeters chained A → B → C, each hop in a namespace of its own and every
 * client and server using `interceptors`: B's handler awaits a timer (what
 * it propagates must survive awaits) and then calls C, which answers
 * "C greets <name>". Returns A's client; the servers stop with the suite.
 */
export async function threeHops(
  suite: NatsSuite,
  interceptors: Interceptor[],
  probes: { atB?: HopProbe; atC?: HopProbe } = {},
): Promise<GreeterClient> {
  const [toB, atB] = suite.scope(suite.conn, suite.conn);
  const [toC, atC] = suite.scope(suite.conn, suite.conn);
  const cServes = greeter((req, ctx) => {
    probes.atC?.(ctx);
    return { message: `C greets ${req.name}` };
  });
  suite.servers.push(await serve(atC!, [defineGreeter(cServes)], { interceptors }));
  const bToC = createGreeterClient(toC!, { interceptors });
  const bServes = greeter(async (req, ctx) => {
    probes.atB?.(ctx);
    await new Promise((r) => setTimeout(r, 5));
    return bToC.sayHello(req);
  });
  suite.servers.push(await serve(atB!, [defineGreeter(bServes)], { interceptors }));
  return createGreeterClient(toB!, { interceptors });
}
