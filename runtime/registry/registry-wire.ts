import { toLocality } from "./locality-wire.js";
import type { EndpointInfo, MethodKind, ServiceInfo, ServiceNode } from "./registry.js";

/*
 * The registry's control-plane messages are JSON: they are rare, small, and
 * readable with `nats sub 'pn.registry.>'`. File descriptors travel as base64
 * and only in answers to `get` and in register announcements.
 */

/** A query published on the query subject, answered on its reply subject. */
export type RegistryQuery = { op: "get"; name: string } | { op: "list" };

/** One node's answer to a query: its matching local registrations. */
export interface RegistryAnswer {
  /** Id of the answering registry instance. */
  registry: string;
  /** How long the answerer's nodes stay alive without a heartbeat. */
  ttl: number;
  services: ServiceInfo[];
}

/**
 * Announcements on the watch subject. `registry` is the id of the announcing
 * registry instance, so that askers know which instances will answer queries.
 */
export type Announcement =
  | { op: "register"; registry: string; ttl: number; service: ServiceInfo }
  | { op: "deregister"; service: ServiceInfo }
  | { op: "heartbeat"; registry: string; ttl: number; nodes: HeartbeatEntry[] };

/** A node saying "still here" without repeating its whole record. */
export interface HeartbeatEntry {
  name: string;
  version: string;
  id: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** JSON text of one service record; `withDescriptors` adds the file descriptors. */
export function serviceJson(service: ServiceInfo, withDescriptors: boolean): string {
  const { fileDescriptors, ...rest } = service;
  if (!withDescriptors || fileDescriptors === undefined) return JSON.stringify(rest);
  return JSON.stringify({
    ...rest,
    fileDescriptors: Buffer.from(fileDescriptors).toString("base64"),
  });
}

/** An answer assembled from pre-encoded service records (no re-encoding per query). */
export function answerBytes(registry: string, ttl: number, servicesJson: string[]): Uint8Array {
  return encoder.encode(
    `{"registry":${JSON.stringify(registry)},"ttl":${ttl},"services":[${servicesJson.join(",")}]}`,
  );
}

export function encodeJson(value: RegistryQuery | Announcement): Uint8Array {
  if (value.op === "register" || value.op === "deregister") {
    const service = serviceJson(value.service, value.op === "register");
    const from =
      value.op === "register"
        ? `,"registry":${JSON.stringify(value.registry)},"ttl":${value.ttl}`
        : "";
    return encoder.encode(`{"op":"${value.op}"${from},"service":${service}}`);
  }
  return encoder.encode(JSON.stringify(value));
}

function parse(data: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(data));
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(value)) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === "string") out[k] = v;
  return out;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

const methodKinds: ReadonlySet<string> = new Set<MethodKind>([
  "unary",
  "server_streaming",
  "client_streaming",
  "bidi_streaming",
]);

function toEndpoint(value: unknown): EndpointInfo | undefined {
  if (!isRecord(value)) return undefined;
  const name = str(value.name);
  const kind = str(value.kind);
  const requestType = str(value.requestType);
  const responseType = str(value.responseType);
  if (!name || !kind || !methodKinds.has(kind) || !requestType || !responseType) return undefined;
  return {
    name,
    kind: kind as MethodKind,
    requestType,
    responseType,
    metadata: stringMap(value.metadata),
  };
}

function toNode(value: unknown): ServiceNode | undefined {
  if (!isRecord(value)) return undefined;
  const id = str(value.id);
  const address = str(value.address);
  if (!id || address === undefined) return undefined;
  const node: ServiceNode = { id, address, metadata: stringMap(value.metadata) };
  const locality = toLocality(value.locality);
  if (locality) node.locality = locality;
  return node;
}

function defined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

/** Reads a service record; anything malformed (a foreign publisher) yields `undefined`. */
export function toService(value: unknown): ServiceInfo | undefined {
  if (!isRecord(value)) return undefined;
  const name = str(value.name);
  const version = str(value.version);
  if (!name || version === undefined) return undefined;
  const service: ServiceInfo = {
    name,
    version,
    metadata: stringMap(value.metadata),
    endpoints: Array.isArray(value.endpoints)
      ? value.endpoints.map(toEndpoint).filter(defined)
      : [],
    nodes: Array.isArray(value.nodes) ? value.nodes.map(toNode).filter(defined) : [],
  };
  const fd = str(value.fileDescriptors);
  if (fd !== undefined) service.fileDescriptors = new Uint8Array(Buffer.from(fd, "base64"));
  return service;
}

function ttlOf(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : undefined;
}

export function decodeQuery(data: Uint8Array): RegistryQuery | undefined {
  const value = parse(data);
  if (!isRecord(value)) return undefined;
  if (value.op === "list") return { op: "list" };
  const name = str(value.name);
  if (value.op === "get" && name) return { op: "get", name };
  return undefined;
}

export function decodeAnswer(data: Uint8Array): RegistryAnswer | undefined {
  const value = parse(data);
  if (!isRecord(value)) return undefined;
  const registry = str(value.registry);
  const ttl = ttlOf(value.ttl);
  if (!registry || ttl === undefined || !Array.isArray(value.services)) return undefined;
  return { registry, ttl, services: value.services.map(toService).filter(defined) };
}

function toHeartbeat(value: unknown): HeartbeatEntry | undefined {
  if (!isRecord(value)) return undefined;
  const name = str(value.name);
  const version = str(value.version);
  const id = str(value.id);
  return name && version !== undefined && id ? { name, version, id } : undefined;
}

export function decodeAnnouncement(data: Uint8Array): Announcement | undefined {
  const value = parse(data);
  if (!isRecord(value)) return undefined;
  const registry = str(value.registry);
  const ttl = ttlOf(value.ttl);
  if (value.op === "heartbeat") {
    if (!registry || ttl === undefined || !Array.isArray(value.nodes)) return undefined;
    return { op: "heartbeat", registry, ttl, nodes: value.nodes.map(toHeartbeat).filter(defined) };
  }
  const service = toService(value.service);
  if (!service) return undefined;
  if (value.op === "deregister") return { op: "deregister", service };
  if (value.op === "register" && registry && ttl !== undefined) {
    return { op: "register", registry, ttl, service };
  }
  return undefined;
}
