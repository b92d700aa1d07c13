import { expect } from "vitest";
import type { Code } from "../../runtime/errors/code.js";
import { RpcError } from "../../runtime/errors/rpc-error.js";
import type { ServiceInfo } from "../../runtime/registry/registry.js";
import { serviceAddress } from "../../runtime/transport/subjects.js";

let counter = 0;

/** A service name no other test uses, so tests sharing a server cannot see each other. */
export function uniqueName(base = "Greeter"): string {
  counter++;
  return `test.registry${process.pid}x${counter}.v1.${base}`;
}

/** One node's registration record. */
export function nodeRecord(
  name: string,
  nodeId: string,
  options: {
    version?: string;
    nodeMetadata?: Record<string, string>;
    descriptors?: Uint8Array;
    /** The registry's namespace: node addresses are derived from it. */
    namespace?: string;
  } = {},
): ServiceInfo {
  const record: ServiceInfo = {
    name,
    version: options.version ?? "1.0.0",
    metadata: { team: "core" },
    endpoints: [
      {
        name: "SayHello",
        kind: "unary",
        requestType: "test.v1.SayHelloRequest",
        responseType: "test.v1.SayHelloResponse",
        metadata: {},
      },
      {
        name: "Chat",
        kind: "bidi_streaming",
        requestType: "test.v1.ChatRequest",
        responseType: "test.v1.ChatResponse",
        metadata: {},
      },
    ],
    nodes: [
      {
        id: nodeId,
        address: serviceAddress(options.namespace, name, nodeId),
        metadata: options.nodeMetadata ?? {},
      },
    ],
  };
  if (options.descriptors) record.fileDescriptors = options.descriptors;
  return record;
}

/** Asserts that `promise` rejects with an `RpcError` of `code`. */
export async function expectCode(promise: Promise<unknown>, code: Code): Promise<RpcError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RpcError);
  expect((err as RpcError).code).toBe(code);
  return err as RpcError;
}

/** Retries `check` until it passes or `withinMs` elapses; returns the time it took. */
export async function eventually(
  check: () => Promise<void> | void,
  withinMs: number,
): Promise<number> {
  const started = performance.now();
  for (;;) {
    try {
      await check();
      return performance.now() - started;
    } catch (err) {
      if (performance.now() - started > withinMs) throw err;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

/** Node ids of every version of a lookup result, sorted. */
export function nodeIds(services: ServiceInfo[]): string[] {
  return services.flatMap((s) => s.nodes.map((n) => n.id)).sort();
}
