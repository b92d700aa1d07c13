import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nkeys } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Code, connectNats, RpcError } from "../../runtime/index.js";
import { freePort } from "../harness/free-port.js";
import { type NatsServerProcess, startNatsServer } from "../harness/nats-server.js";
import { makeTlsFiles, type TlsFiles } from "./tls-files.js";

// connectNats() as NATS users configure it: credentials in the URL, nkey seed
// files, TLS with a private CA and client certificates, all from the
// environment; and failures that say where and what to fix.

const dir = mkdtempSync(join(tmpdir(), "protonats-connect-"));
const servers: NatsServerProcess[] = [];

async function start(args: string[]): Promise<NatsServerProcess> {
  const server = await startNatsServer({ args });
  servers.push(server);
  return server;
}

async function rejection(promise: Promise<unknown>): Promise<RpcError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RpcError);
  return error as RpcError;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  rmSync(dir, { recursive: true, force: true });
});

describe("connectNats credentials", () => {
  let server: NatsServerProcess;
  beforeAll(async () => {
    server = await start(["--user", "alice", "--pass", "s3cret"]);
  });

  it("takes user:pass@ from the URL", async () => {
    vi.stubEnv("NATS_URL", `nats://alice:s3cret@127.0.0.1:${server.port}`);
    const nc = await connectNats();
    expect(nc.isClosed()).toBe(false);
    await nc.close();
  });

  it("rejects wrong credentials with Unauthenticated, the URL without the password and the fix", async () => {
    const error = await rejection(
      connectNats({ servers: `nats://alice:wrong@127.0.0.1:${server.port}` }),
    );
    expect(error.code).toBe(Code.Unauthenticated);
    expect(error.message).toContain(`nats://alice:***@127.0.0.1:${server.port}`);
    expect(error.message).not.toContain("wrong");
    expect(error.message).toMatch(/NATS_USER/);
  });

  it("takes token@ from the URL, and decodes percent-escapes in user:pass@", async () => {
    const tokenServer = await start(["--auth", "t0ken"]);
    const nc = await connectNats({ servers: `nats://t0ken@127.0.0.1:${tokenServer.port}` });
    await nc.close();
    const escaped = await start(["--user", "bob", "--pass", "p@ss:word"]);
    const nc2 = await connectNats({
      servers: `nats://bob:${encodeURIComponent("p@ss:word")}@127.0.0.1:${escaped.port}`,
    });
    await nc2.close();
  });

  it("authenticates with the nkey seed file in NATS_NKEY", async () => {
    const user = nkeys.createUser();
    const config = join(dir, "nkey.conf");
    writeFileSync(config, `authorization { users = [ { nkey: "${user.getPublicKey()}" } ] }\n`);
    const nkeyServer = await start(["-c", config]);
    const seedFile = join(dir, "user.nk");
    writeFileSync(seedFile, `${new TextDecoder().decode(user.getSeed())}\n`);
    vi.stubEnv("NATS_URL", nkeyServer.url);
    const denied = await rejection(connectNats());
    expect(denied.code).toBe(Code.Unauthenticated);
    vi.stubEnv("NATS_NKEY", seedFile);
    const nc = await connectNats();
    await nc.close();
  });
});

describe("connectNats only ever rejects", () => {
  it("rejects (does not throw) when NATS_CREDS names a missing file", async () => {
    vi.stubEnv("NATS_CREDS", join(dir, "missing.creds"));
    let promise: Promise<unknown> | undefined;
    expect(() => {
      promise = connectNats({ servers: "127.0.0.1:1" });
    }).not.toThrow();
    const error = await rejection(promise!);
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.message).toContain(`NATS_CREDS=${join(dir, "missing.creds")}`);
    expect(error.message).toContain("ENOENT");
  });

  it("rejects an unreachable server with Unavailable, naming the URL, its source and the fix", async () => {
    const port = await freePort();
    vi.stubEnv("NATS_URL", `nats://127.0.0.1:${port}`);
    const error = await rejection(connectNats());
    expect(error.code).toBe(Code.Unavailable);
    expect(error.message).toContain(`nats://127.0.0.1:${port} (NATS_URL)`);
    expect(error.message).toMatch(/start nats-server|NATS_URL/);
  });
});

describe("connectNats TLS from NATS_CA, NATS_CERT and NATS_KEY", () => {
  let tls: TlsFiles;
  let server: NatsServerProcess;
  beforeAll(async () => {
    tls = makeTlsFiles(dir);
    server = await start([
      "--tlscert",
      tls.serverCert,
      "--tlskey",
      tls.serverKey,
      "--tlscacert",
      tls.ca,
      "--tlsverify",
    ]);
  });

  it("connects with the private CA and a client certificate", async () => {
    vi.stubEnv("NATS_URL", `tls://127.0.0.1:${server.port}`);
    vi.stubEnv("NATS_CA", tls.ca);
    vi.stubEnv("NATS_CERT", tls.clientCert);
    vi.stubEnv("NATS_KEY", tls.clientKey);
    const nc = await connectNats();
    expect(nc.info?.tls_required).toBe(true);
    await nc.close();
  });

  it("fails with a TLS hint when the server's CA is not trusted", async () => {
    vi.stubEnv("NATS_URL", `tls://127.0.0.1:${server.port}`);
    vi.stubEnv("NODE_EXTRA_CA_CERTS", "");
    const error = await rejection(connectNats());
    expect(error.code).toBe(Code.Unavailable);
    expect(error.message).toMatch(/NATS_CA/);
  });

  it("names the variable when a PEM file is missing", async () => {
    vi.stubEnv("NATS_CA", join(dir, "nope.pem"));
    const error = await rejection(connectNats({ servers: server.url }));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.message).toContain("NATS_CA=");
  });
});
