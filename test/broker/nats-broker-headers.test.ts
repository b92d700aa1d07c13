import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code } from "../../runtime/errors/code.js";
import { RpcError } from "../../runtime/errors/rpc-error.js";
import { NatsBroker } from "../../runtime/nats/broker/nats-broker.js";
import { type NatsServerProcess, startNatsServer } from "../harness/nats-server.js";
import { bytes } from "./support.js";

describe("NatsBroker header records", () => {
  let server: NatsServerProcess;
  let nc: NatsConnection;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  it("refuses a header NATS cannot carry the same way whether the record is frozen or not", async () => {
    const broker = new NatsBroker(nc);
    for (const headers of [
      { "Bad Name": "v" },
      { "X-Ok": "line\r\nbreak" },
      Object.freeze({ "Bad Name": "v" }),
      Object.freeze({ "X-Ok": "line\r\nbreak" }),
    ]) {
      const error = await broker.publish("headers.bad", bytes("x"), { headers }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RpcError);
      expect((error as RpcError).code).toBe(Code.InvalidArgument);
    }
  });
});
