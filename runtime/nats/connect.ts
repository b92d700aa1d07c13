import { readFile } from "node:fs/promises";
import {
  type Authenticator,
  type ConnectionOptions,
  connect,
  credsAuthenticator,
  type NatsConnection,
  nkeyAuthenticator,
} from "@nats-io/transport-node";
import { configError, connectError } from "./connect-errors.js";

/** Connection options plus `servers` as a comma-separated string. */
export type ConnectOptions = Omit<ConnectionOptions, "servers"> & {
  /** `"nats://a:4222,nats://b:4222"`, an array, or one URL. Default: `NATS_URL`, else 127.0.0.1:4222. */
  servers?: string | string[];
};

const defaultServer = "127.0.0.1:4222";

/**
 * Splits a comma-separated server list; accepts an array as it is.
 * Whitespace around entries and empty entries are ignored.
 */
export function parseServers(servers: string | string[]): string[] {
  const list = Array.isArray(servers) ? servers : servers.split(",");
  return list.map((s) => s.trim()).filter((s) => s.length > 0);
}

async function readSetting(variable: string, path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw configError(`${variable}=${path} cannot be read (${reason})`, cause);
  }
}

/**
 * Connection options from the environment variables NATS tools use:
 * `NATS_URL` (comma-separated list, `user:pass@` or `token@` allowed),
 * `NATS_USER`/`NATS_PASSWORD`, `NATS_TOKEN`, `NATS_CREDS` (path to a `.creds`
 * file), `NATS_NKEY` (path to an nkey seed file), `NATS_CA`, `NATS_CERT`,
 * `NATS_KEY` (PEM files for TLS: the CA to trust, a client certificate and its
 * key), `NATS_NAME`. Rejects with `InvalidArgument` naming the variable when a
 * file cannot be read.
 */
export async function optionsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): Promise<ConnectionOptions> {
  const options: ConnectionOptions = {};
  if (env.NATS_URL) options.servers = parseServers(env.NATS_URL);
  if (env.NATS_USER) options.user = env.NATS_USER;
  if (env.NATS_PASSWORD) options.pass = env.NATS_PASSWORD;
  if (env.NATS_TOKEN) options.token = env.NATS_TOKEN;
  if (env.NATS_NAME) options.name = env.NATS_NAME;
  const authenticators: Authenticator[] = [];
  if (env.NATS_CREDS) {
    authenticators.push(credsAuthenticator(await readSetting("NATS_CREDS", env.NATS_CREDS)));
  }
  if (env.NATS_NKEY) {
    const seed = new TextDecoder().decode(await readSetting("NATS_NKEY", env.NATS_NKEY)).trim();
    authenticators.push(nkeyAuthenticator(new TextEncoder().encode(seed)));
  }
  if (authenticators.length === 1) options.authenticator = authenticators[0]!;
  if (authenticators.length > 1) throw configError("set NATS_CREDS or NATS_NKEY, not both");
  if (env.NATS_CA || env.NATS_CERT || env.NATS_KEY) {
    if (Boolean(env.NATS_CERT) !== Boolean(env.NATS_KEY)) {
      throw configError("NATS_CERT and NATS_KEY go together (a client certificate and its key)");
    }
    // Read here, so a wrong path fails with the variable's name, not deep in the TLS handshake.
    options.tls = {
      ...(env.NATS_CA && { ca: text(await readSetting("NATS_CA", env.NATS_CA)) }),
      ...(env.NATS_CERT && { cert: text(await readSetting("NATS_CERT", env.NATS_CERT)) }),
      ...(env.NATS_KEY && { key: text(await readSetting("NATS_KEY", env.NATS_KEY)) }),
    };
  }
  return options;
}

function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/**
 * Takes `user:pass@` (or `token@`) out of the server URLs into options, the way
 * the `nats` CLI reads them. The first URL with credentials wins; explicit
 * options win over all URLs.
 */
function credentialsFromUrls(servers: string[]): {
  servers: string[];
  auth: Pick<ConnectionOptions, "user" | "pass" | "token">;
} {
  let auth: Pick<ConnectionOptions, "user" | "pass" | "token"> = {};
  const stripped = servers.map((server) => {
    const match = /^([a-z]+:\/\/)?([^@/]*)@(.*)$/i.exec(server);
    if (match === undefined || match === null) return server;
    const [, scheme = "", userinfo = "", rest = ""] = match;
    if (Object.keys(auth).length === 0) {
      const colon = userinfo.indexOf(":");
      auth =
        colon < 0
          ? { token: decodeURIComponent(userinfo) }
          : {
              user: decodeURIComponent(userinfo.slice(0, colon)),
              pass: decodeURIComponent(userinfo.slice(colon + 1)),
            };
    }
    return `${scheme}${rest}`;
  });
  return { servers: stripped, auth };
}

/**
 * Connects to NATS. Explicit options win over the environment (see
 * {@link optionsFromEnv}); without any server the default is `127.0.0.1:4222`.
 * Reconnects forever by default: services should outlive a NATS node restart.
 *
 * Only ever rejects (never throws): with `InvalidArgument` for a setting that
 * cannot be used, `Unauthenticated` when the server refuses the credentials,
 * `Unavailable` when no server can be reached — each message names the URLs
 * (passwords masked) and the likely fix; the nats.js error is the `cause`.
 */
export async function connectNats(options: ConnectOptions = {}): Promise<NatsConnection> {
  const fromEnv = await optionsFromEnv();
  const { servers: explicit, ...rest } = options;
  const source =
    explicit !== undefined ? "servers option" : fromEnv.servers ? "NATS_URL" : "default";
  const listed =
    explicit !== undefined ? parseServers(explicit) : ((fromEnv.servers as string[]) ?? []);
  const { servers, auth } = credentialsFromUrls(listed.length > 0 ? listed : [defaultServer]);
  const explicitAuth = rest.user !== undefined || rest.token !== undefined;
  try {
    return await connect({
      maxReconnectAttempts: -1,
      // Async stack traces cost 20-30% of request throughput.
      noAsyncTraces: true,
      ...fromEnv,
      ...(explicitAuth ? {} : auth),
      ...rest,
      servers,
    });
  } catch (error) {
    throw connectError(error, listed.length > 0 ? listed : [defaultServer], source);
  }
}
