import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { createClient } from "../../runtime/client/create-client.js";
import { Code } from "../../runtime/errors/code.js";
import { RpcError } from "../../runtime/errors/rpc-error.js";
import { methodKey } from "../../runtime/naming.js";
import { defineService } from "../../runtime/server/define-service.js";
import { serve } from "../../runtime/server/serve.js";
import type { ServiceHandlers } from "../../runtime/service-types.js";
import { Shapes } from "../codegen/golden/shapes/v1/shapes_pb.js";
import { natsSuite } from "../support/nats-suite.js";
import { sleep } from "./support/greeter.js";

/** Shapes' `Notify` has `(protonats.v1.method).no_reply = true`. */
describe("fire-and-forget methods (no_reply)", () => {
  const suite = natsSuite({ clientConnection: true });

  it("the call returns once sent; the handler runs; its failure reaches nobody", async () => {
    const [srt, crt] = suite.scope(suite.conn, suite.clientConn);
    const received: Timestamp[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    // Every other method of the fixture fails: only Notify matters here.
    const handlers: Record<string, unknown> = {};
    for (const m of Shapes.methods) {
      handlers[methodKey(m)] = async () => {
        throw new RpcError(Code.Unimplemented, "not in this test");
      };
    }
    handlers.notify = async (ts: Timestamp) => {
      received.push(ts);
      await gate; // the caller must not wait for this
      if (ts.seconds === 2n) throw new RpcError(Code.Internal, "nobody hears this");
      return {};
    };
    const server = await serve(srt!, [
      defineService(Shapes, handlers as unknown as ServiceHandlers<typeof Shapes>),
    ]);
    try {
      const client = createClient(Shapes, crt!);
      const res = await client.notify({ seconds: 1n });
      expect(res.$typeName).toBe("google.protobuf.Empty");
      await client.notify({ seconds: 2n });
      const until = Date.now() + 2_000;
      while (received.length < 2 && Date.now() < until) await sleep(10);
      expect(received.map((t) => t.seconds)).toEqual([1n, 2n]);
      release();
    } finally {
      release();
      await server.stop({ graceMs: 500 });
    }
  });
});
