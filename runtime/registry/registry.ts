import type { DescMethod } from "@bufbuild/protobuf";
import type { NodeLocality } from "../locality/locality.js";

export type MethodKind = DescMethod["methodKind"];

/** One running instance of a service: where to reach it. */
export interface ServiceNode {
  /** Unique id of the instance (also its `$SRV` id). */
  id: string;
  /** Transport address the instance listens on (a NATS subject). */
  address: string;
  metadata: Record<string, string>;
  /**
   * SHA-256 (hex) of the secret key that withdraws this node, set by the NATS
   * registry: a deregister must reveal the key, so only the owner can send one.
   */
  seal?: string;
  /** Where the node runs (NATS cluster and server, zone); absent when unknown. */
  locality?: NodeLocality;
}

/** One RPC method of a service, as announced for tools and discovery. */
export interface EndpointInfo {
  /** Method name as in the .proto, e.g. `SayHello`. */
  name: string;
  kind: MethodKind;
  /** Fully qualified request message type, e.g. `example.greeter.v1.SayHelloRequest`. */
  requestType: string;
  responseType: string;
  metadata: Record<string, string>;
}

/**
 * A service as the registry knows it. A node registers a record with itself as
 * the only node; lookups aggregate the records of all nodes by name.
 */
export interface ServiceInfo {
  /** Fully qualified service name, e.g. `example.greeter.v1.Greeter`. */
  name: string;
  version: string;
  metadata: Record<string, string>;
  endpoints: EndpointInfo[];
  nodes: ServiceNode[];
  /**
   * Serialized `google.protobuf.FileDescriptorSet` of the service's files, so
   * that tools can call it without its `.proto`. Omitted from list answers.
   */
  fileDescriptors?: Uint8Array;
  /**
   * The owner's nkey signature over the record (see `RecordSigningOptions`):
   * `signer` is its public nkey, `sig` the base64 ed25519 signature.
   */
  signature?: { signer: string; sig: string };
}

export interface LookupOptions {
  /** Only nodes of this exact version. */
  version?: string;
  /** Only nodes whose metadata contains all of these pairs. */
  metadata?: Record<string, string>;
  signal?: AbortSignal;
}

export type RegistryEvent =
  | { type: "register"; service: ServiceInfo }
  | { type: "deregister"; service: ServiceInfo }
  | { type: "expire"; service: ServiceInfo }
  /**
   * A peer's message about `service` broke a rule (a conflicting record for a
   * known node id, a limit, a forged deregister) and was ignored. `service`
   * holds what could be read of it: at least the name.
   */
  | { type: "refused"; service: ServiceInfo; reason: string };

export interface RegistryWatcher extends AsyncIterable<RegistryEvent> {
  stop(): void;
}

/**
 * Service discovery. The NATS implementation answers lookups by broadcast
 * query; an in-memory one exists for unit tests of services.
 */
export interface Registry {
  /** Announces one node of a service. Idempotent: re-registering refreshes it. */
  register(service: ServiceInfo): Promise<void>;
  /** Withdraws the nodes listed in `service.nodes`. */
  deregister(service: ServiceInfo): Promise<void>;
  /**
   * Every known version of a service, each with its live nodes. Throws
   * `RpcError` `NotFound` when no node answers, `Unavailable` when the
   * registry itself cannot be reached.
   */
  getService(name: string, options?: LookupOptions): Promise<ServiceInfo[]>;
  /**
   * What `getService` would resolve with when the registry can answer from
   * its cache right now, else undefined (then call `getService`). Optional:
   * it spares a hot caller the promise hop of a lookup it already knows.
   */
  cachedService?(name: string, options?: LookupOptions): ServiceInfo[] | undefined;
  /** All services, without file descriptors. */
  listServices(options?: { signal?: AbortSignal }): Promise<ServiceInfo[]>;
  /** Registrations, deregistrations and expiries as they happen. */
  watch(options?: { service?: string }): RegistryWatcher;
  /** Stops background work; does not deregister anything. */
  close(): Promise<void>;
}
