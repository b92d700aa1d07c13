/** Options every command takes (see `main.ts`). */
export interface GlobalOptions {
  /** NATS servers, comma-separated; default `NATS_URL`, else 127.0.0.1:4222. */
  server?: string;
  namespace?: string;
  /** Bound of every wait (lookup, call, gathering answers), in ms. */
  timeout: number;
  /** Whether `--timeout` was given (streams have no deadline otherwise). */
  timeoutGiven: boolean;
  json: boolean;
  /** A serialized FileDescriptorSet (`buf build -o x.binpb`) used instead of the registry's. */
  descriptorSet?: string;
  /** A directory of .proto files, compiled with `buf build`, used instead of the registry's. */
  proto?: string;
}
