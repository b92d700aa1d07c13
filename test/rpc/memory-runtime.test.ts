import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { createClient } from "../../runtime/client/create-client.js";
import { Code } from "../../runtime/errors/code.js";
import { memoryRuntime } from "../../runtime/memory/memory-runtime.js";
import { defineService } from "../../runtime/server/define-service.js";
import { serve } from "../../runtime/server/serve.js";
import { Greeter, greeterHandlers } from "./support/greeter.js";
import { collect, expectCode } from "./support/nats.js";

describe("clients and servers on the in-memory runtime", () => {
  it("serves every call shape without a network", async () => {
    const runtime = memoryRuntime();
    const server = await serve(runtime, [defineService(Greeter, greeterHandlers("mem"))]);
    try {
      const client = createClient(Greeter, runtime);
      expect((await client.sayHello({ name: "Ada" })).message).toBe("Hello, Ada");
      expect(await collect(client.sayHelloStream({ name: "x", count: 3 }))).toHaveLength(3);
      async function* names() {
        yield { name: "a" };
        yield { name: "b" };
      }
      expect((await client.sayHelloToAll(names())).message).toBe("Hello, a and b");
      expect((await collect(client.chat(names()))).map((m) => m.message)).toEqual(["Hi a", "Hi b"]);
      await expectCode(client.sayHello({ name: "" }), Code.InvalidArgument);
    } finally {
      await server.stop({ graceMs: 0 });
    }
  });

  it("a request above the transport's max payload is ResourceExhausted", async () => {
    const runtime = memoryRuntime({ maxPayload: 64 });
    const server = await serve(runtime, [defineService(Greeter, greeterHandlers("mem"))]);
    try {
      await expectCode(
        createClient(Greeter, runtime).sayHello({ name: "x".repeat(100) }),
        Code.ResourceExhausted,
      );
    } finally {
      await server.stop({ graceMs: 0 });
    }
  });

  it("registers each service with version, endpoints, node and its FileDescriptorSet", async () => {
    const runtime = memoryRuntime();
    const server = await serve(runtime, [defineService(Greeter, greeterHandlers("mem"))], {
      metadata: { zone: "a" },
    });
    try {
      const [info] = await runtime.registry.getService(Greeter.typeName);
      expect(info?.version).toBe("1.0.0"); // from (protonats.v1.service).version
      expect(info?.nodes).toEqual([
        // The runtime's own mark: this server reads compact calls.
        {
          id: server.id,
          address: server.address,
          metadata: { zone: "a", "pn-compact-calls": "1" },
        },
      ]);
      expect(info?.endpoints.map((e) => [e.name, e.kind, e.requestType])).toEqual([
        ["SayHello", "unary", "example.greeter.v1.SayHelloRequest"],
        ["SayHelloStream", "server_streaming", "example.greeter.v1.SayHelloStreamRequest"],
        ["SayHelloToAll", "client_streaming", "example.greeter.v1.SayHelloRequest"],
        ["Chat", "bidi_streaming", "example.greeter.v1.SayHelloRequest"],
      ]);
      const set = fromBinary(FileDescriptorSetSchema, info?.fileDescriptors ?? new Uint8Array());
      // Dependencies first, so that tools can build the files in order.
      expect(set.file.map((f) => f.name)).toEqual([
        "google/protobuf/descriptor.proto",
        "protonats/v1/options.proto",
        "example/greeter/v1/greeter.proto",
      ]);
      expect(set.file[2]?.service[0]?.method.map((m) => m.name)).toContain("Chat");
    } finally {
      await server.stop({ graceMs: 0 });
    }
  });

  it("a stopped server's node is gone: NotFound from discovery", async () => {
    const runtime = memoryRuntime();
    const server = await serve(runtime, [defineService(Greeter, greeterHandlers("mem"))]);
    await server.stop();
    await expectCode(createClient(Greeter, runtime).sayHello({ name: "x" }), Code.NotFound);
  });
});
