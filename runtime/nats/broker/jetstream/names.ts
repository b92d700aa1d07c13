import { Code } from "../../../errors/code.js";
import { RpcError } from "../../../errors/rpc-error.js";

const invalidNameChars = /[^A-Za-z0-9_-]/g;

/**
 * The stream name for a namespace: `ORDERS`, or `staging_ORDERS` in namespace
 * `staging`, so that environments sharing a cluster never share a stream.
 */
export function streamName(namespace: string | undefined, stream: string): string {
  if (stream.length === 0 || /[\s.*>/\\]/.test(stream)) {
    throw new RpcError(Code.InvalidArgument, `invalid stream name "${stream}"`);
  }
  return namespace ? `${namespace.replace(invalidNameChars, "_")}_${stream}` : stream;
}

/** The stream that stores dead letters when no stream of the user's does. */
export function deadLetterStreamName(namespace: string | undefined): string {
  return streamName(namespace, "PN_DLQ");
}

/**
 * A consumer name from a queue or durable name: characters JetStream forbids
 * in names (`.`, `*`, `>`, whitespace, ...) become `_`.
 */
export function consumerName(name: string): string {
  return name.replace(invalidNameChars, "_");
}
