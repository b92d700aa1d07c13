import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";

/** A server URL fit for an error message: any password in it replaced by `***`. */
export function redactUrl(server: string): string {
  return server.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}

function text(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
  return `${error.message}${cause}`;
}

/**
 * The error `connectNats` rejects with when the first connection fails: which
 * servers were tried, where they came from, what went wrong and the likely fix.
 * `Unauthenticated` when the server refused the credentials, `Unavailable`
 * otherwise; the nats.js error is the `cause`.
 */
export function connectError(error: unknown, servers: string[], source: string): RpcError {
  const where = `${servers.map(redactUrl).join(", ")} (${source})`;
  const what = text(error);
  let code = Code.Unavailable;
  let fix: string;
  if (/authoriz|authenticat|auth.*(violation|expired|required)/i.test(what)) {
    code = Code.Unauthenticated;
    fix =
      "check the credentials: user:pass@ in the URL, NATS_USER/NATS_PASSWORD, NATS_TOKEN, NATS_CREDS or NATS_NKEY";
  } else if (/tls|ssl|certificate|self.signed|handshake/i.test(what)) {
    fix =
      "check TLS: NATS_CA must name the CA that signed the server's certificate, NATS_CERT/NATS_KEY a client certificate if the server asks for one";
  } else if (/ECONNREFUSED|refused/i.test(what)) {
    fix = "nothing listens there: start nats-server, or point NATS_URL at your NATS servers";
  } else if (/ENOTFOUND|EAI_AGAIN|getaddrinfo/i.test(what)) {
    fix = "the host name does not resolve: check NATS_URL";
  } else if (/timeout|timed out/i.test(what)) {
    fix = "no answer in time: check the address, firewalls, and that it is a NATS port (4222)";
  } else {
    fix = "check NATS_URL and that the NATS servers are up";
  }
  return new RpcError(code, `cannot connect to NATS at ${where}: ${what}; ${fix}`, {
    cause: error,
  });
}

/** A setting from the environment that cannot be used, e.g. a missing file. */
export function configError(message: string, cause?: unknown): RpcError {
  return new RpcError(Code.InvalidArgument, message, cause === undefined ? {} : { cause });
}
