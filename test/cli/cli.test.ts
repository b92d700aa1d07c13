import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Code } from "../../runtime/errors/code.js";
import { runCli, spawnCli } from "./cli-runner.js";
import { demoBus } from "./demo-bus.js";

const bus = demoBus();
let g: string[];
beforeAll(() => {
  g = bus.args;
});

const lines = (text: string) =>
  text
    .trim()
    .split("\n")
    .filter((l) => l.length > 0);

describe("protonats ls", () => {
  it("lists services with versions, instances and endpoints, and plain $SRV services", async () => {
    const { status, out } = await runCli([...g, "ls"]);
    expect(status).toBe(0);
    expect(out).toMatch(/^SERVICE +VERSION +KIND +INSTANCES +ENDPOINTS$/m);
    expect(out).toMatch(
      /^example\.greeter\.v1\.Greeter +1\.0\.0 +protonats +1 +SayHello, SayHelloStream \(server stream\), SayHelloToAll \(client stream\), Chat \(bidi\)$/m,
    );
    expect(out).toMatch(
      /^example\.orders\.v1\.OrderService +1\.2\.0 +protonats +1 +PlaceOrder, GetOrder$/m,
    );
    expect(out).toMatch(/^legacy-echo +0\.3\.0 +\$SRV +1 +echo$/m);

    const json = await runCli([...g, "ls", "--json"]);
    const listed = lines(json.out).map((l) => JSON.parse(l));
    expect(listed.find((s) => s.name === "example.greeter.v1.Greeter")).toMatchObject({
      version: "1.0.0",
      kind: "protonats",
      instances: 1,
      endpoints: expect.arrayContaining([{ name: "Chat", kind: "bidi_streaming" }]),
    });
    expect(listed.find((s) => s.name === "legacy-echo")).toMatchObject({ kind: "$SRV" });
  });
});

describe("protonats describe", () => {
  it("shows a service's methods with streaming kinds and options, and its messages and events as proto", async () => {
    const { status, out } = await runCli([...g, "describe", "Greeter"]);
    expect(status).toBe(0);
    expect(out).toContain('option (protonats.v1.service) = {version: "1.0.0"};');
    expect(out).toContain("rpc SayHello(SayHelloRequest) returns (SayHelloResponse) {");
    expect(out).toContain("option (protonats.v1.method) = {timeout_ms: 5000, idempotent: true};");
    expect(out).toContain(
      "rpc SayHelloStream(SayHelloStreamRequest) returns (stream SayHelloResponse);",
    );
    expect(out).toContain("rpc Chat(stream SayHelloRequest) returns (stream SayHelloResponse);");
    expect(out).toContain(
      "message SayHelloStreamRequest {\n  string name = 1;\n  uint32 count = 2;\n}",
    );

    const orders = await runCli([...g, "describe", "example.orders.v1.OrderService"]);
    expect(orders.out).toContain("option idempotency_level = NO_SIDE_EFFECTS;");
    expect(orders.out).toContain(
      'option (protonats.v1.event) = {subject: "orders.{region}.placed", queue: "fulfillment"};',
    );
  });

  it("describes a method, a message and an event", async () => {
    const method = await runCli([...g, "describe", "Greeter/SayHelloToAll"]);
    expect(method.out).toContain(
      "rpc SayHelloToAll(stream SayHelloRequest) returns (SayHelloResponse);",
    );
    const message = await runCli([...g, "describe", "Order"]);
    expect(message.out).toContain("repeated LineItem items = 4;");
    expect(message.out).toContain("google.protobuf.Timestamp placed_at = 6;");
    expect(message.out).toContain("message LineItem {");
    const event = await runCli([...g, "describe", "OrderShipped", "--json"]);
    expect(JSON.parse(event.out)).toMatchObject({
      kind: "event",
      name: "example.orders.v1.OrderShipped",
      event: { subject: "orders.{region}.shipped", durable: true, stream: "ORDERS" },
    });
  });

  it("fails with not_found for a name nothing on the bus has", async () => {
    const { status, err } = await runCli([...g, "describe", "Nope"]);
    expect(status).toBe(Code.NotFound);
    expect(err).toContain(
      'error (not_found): no service, method, message or event "Nope" on the bus',
    );
  });

  it("reads a --descriptor-set file instead of the registry", async () => {
    const [info] = await bus.runtime.registry.getService("example.orders.v1.OrderService");
    const dir = await mkdtemp(join(tmpdir(), "pn-cli-"));
    try {
      const file = join(dir, "orders.binpb");
      await writeFile(file, info?.fileDescriptors ?? new Uint8Array());
      const empty = ["--server", bus.nats.url, "--namespace", "nobody_here"];
      const { status, out } = await runCli([
        ...empty,
        "--descriptor-set",
        file,
        "describe",
        "OrderPlaced",
      ]);
      expect(status).toBe(0);
      expect(out).toContain("message OrderPlaced {");
    } finally {
      await rm(dir, { recursive: true });
    }
  });
  it("compiles a --proto directory with buf and calls through it", async () => {
    const empty = ["--server", bus.nats.url, "--namespace", "nobody_here"];
    const described = await runCli([...empty, "--proto", "proto", "describe", "OrderShipped"]);
    expect(described.status).toBe(0);
    expect(described.out).toContain("message OrderShipped {");
    const broken = await runCli([...empty, "--proto", "no/such/dir", "describe", "OrderShipped"]);
    expect(broken.status).toBe(Code.InvalidArgument);
    expect(broken.err).toContain("buf build no/such/dir failed");
    // The schemas come from the files; the call itself still goes to the registry's instances.
    const called = await runCli([
      ...bus.args,
      "--proto",
      "proto",
      "call",
      "Greeter/SayHello",
      '{"name":"Ada"}',
    ]);
    expect(JSON.parse(called.out).message).toBe("Hello, Ada!");
  });
});

describe("protonats call", () => {
  it("calls a unary method in a real process, connecting through NATS_URL", async () => {
    const namespace = bus.namespace;
    const { status, out, err } = await spawnCli(
      ["--namespace", namespace, "call", "Greeter/SayHello", '{"name":"Ada"}'],
      { env: { NATS_URL: bus.nats.url } },
    ).done;
    expect(err).toBe("");
    expect(status).toBe(0);
    expect(JSON.parse(out)).toEqual({ message: "Hello, Ada!", servedBy: "A" });
  });

  it("prints a server stream as NDJSON", async () => {
    const { status, out } = await runCli([
      ...g,
      "call",
      "Greeter/SayHelloStream",
      '{"name":"Ada","count":3}',
    ]);
    expect(status).toBe(0);
    expect(lines(out).map((l) => JSON.parse(l).message)).toEqual([
      "Hello #1, Ada!",
      "Hello #2, Ada!",
      "Hello #3, Ada!",
    ]);
  });

  it("sends a client stream from NDJSON on stdin and a bidi stream from a JSON array or @file", async () => {
    const client = await runCli([...g, "call", "Greeter/SayHelloToAll", "-"], {
      stdin: '{"name":"Ada"}\n{"name":"Grace"}\n',
    });
    expect(client.status).toBe(0);
    expect(JSON.parse(client.out).message).toBe("Hello, Ada! Hello, Grace!");

    const bidi = await runCli([...g, "call", "Greeter/Chat", '[{"name":"Ada"},{"name":"Alan"}]']);
    expect(lines(bidi.out).map((l) => JSON.parse(l).message)).toEqual([
      "Hello, Ada!",
      "Hello, Alan!",
    ]);

    const dir = await mkdtemp(join(tmpdir(), "pn-cli-"));
    try {
      await writeFile(join(dir, "names.ndjson"), '{"name":"Linus"}\n\n{"name":"Barbara"}\n');
      const fromFile = await runCli([
        ...g,
        "call",
        "Greeter/Chat",
        `@${join(dir, "names.ndjson")}`,
      ]);
      expect(lines(fromFile.out).map((l) => JSON.parse(l).message)).toEqual([
        "Hello, Linus!",
        "Hello, Barbara!",
      ]);
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it("sends headers given with -H", async () => {
    const { out } = await runCli([
      ...g,
      "call",
      "Greeter/SayHello",
      '{"name":"header"}',
      "-H",
      "x-who: ada",
    ]);
    expect(JSON.parse(out).message).toBe("x-who=ada");
  });

  it("answers bad input with invalid_argument naming the field, before calling", async () => {
    const field = await runCli([
      ...g,
      "call",
      "Greeter/SayHelloStream",
      '{"name":"Ada","count":"many"}',
    ]);
    expect(field.status).toBe(Code.InvalidArgument);
    expect(field.err).toContain("example.greeter.v1.SayHelloStreamRequest.count");
    const unknownField = await runCli([...g, "call", "Greeter/SayHello", '{"nam":"Ada"}']);
    expect(unknownField.status).toBe(Code.InvalidArgument);
    expect(unknownField.err).toContain('"nam"');
    const syntax = await runCli([...g, "call", "Greeter/Chat", "-"], {
      stdin: '{"name":"Ada"}\n{"name":\n',
    });
    expect(syntax.status).toBe(Code.InvalidArgument);
    expect(syntax.err).toContain("line 2 is not JSON");
  });

  it("fails with not_found for an unknown service or method", async () => {
    const service = await runCli([...g, "call", "Nope/SayHello", "{}"]);
    expect(service.status).toBe(Code.NotFound);
    expect(service.err).toContain('no service "Nope" on the bus');
    const method = await runCli([...g, "call", "Greeter/Shout", "{}"]);
    expect(method.status).toBe(Code.NotFound);
    expect(method.err).toContain(
      'has no method "Shout" (it has SayHello, SayHelloStream, SayHelloToAll, Chat)',
    );
  });

  it("prints a server's error with its code, message and decoded details, and exits with the code", async () => {
    const plain = await runCli([...g, "call", "Greeter/SayHello", '{"name":""}']);
    expect(plain.status).toBe(Code.InvalidArgument);
    expect(plain.err).toBe("error (invalid_argument): name is required\n");
    const detailed = await runCli([
      ...g,
      "--json",
      "call",
      "Greeter/SayHello",
      '{"name":"detailed"}',
    ]);
    expect(detailed.status).toBe(Code.FailedPrecondition);
    expect(JSON.parse(detailed.err)).toEqual({
      error: {
        code: "failed_precondition",
        message: "not today",
        details: [{ "@type": "example.greeter.v1.SayHelloResponse", message: "try tomorrow" }],
      },
    });
  });

  it("gives up at the --timeout deadline with deadline_exceeded (exit 4) in a real process", async () => {
    const { status, err } = await spawnCli([
      ...g.slice(0, 4),
      "--timeout",
      "300",
      "call",
      "Greeter/SayHello",
      '{"name":"slow"}',
    ]).done;
    expect(err).toContain("error (deadline_exceeded)");
    expect(status).toBe(Code.DeadlineExceeded);
  });

  it("reports a server that cannot be reached as unavailable, and usage errors as invalid_argument", async () => {
    const down = await runCli(["--server", "nats://127.0.0.1:1", "ls"]);
    expect(down.status).toBe(Code.Unavailable);
    expect(down.err).toContain("cannot connect to NATS");
    const usage = await runCli([...g, "call"]);
    expect(usage.status).toBe(Code.InvalidArgument);
    expect(usage.err).toContain("missing required argument 'method'");
  });
});
