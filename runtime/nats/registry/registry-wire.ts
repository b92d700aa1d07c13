import { fromBase64, toBase64 } from "../../platform/bytes.js";
import type {
  EndpointInfo,
  MethodKind,
  ServiceInfo,
  ServiceNode,
} from "../../registry/registry.js";
import { toLocality } from "./locality-wire.js";
import { checkNodeId, checkServiceName, type RecordRules, RefusedRecord } from "./record-rules.js";

/*
 * The registry's control-plane messages are JSON: they are rare, small, and
 * readable with `nats sub 'pn.registry.>'`. File descriptors travel as base64
 * and only in answers to `get` and in register announcements. Everything a
 * peer sends is checked against `RecordRules` (limits, names, addresses bound
 * to node ids); a message breaking a rule is refused whole.
 */

/** A query published on a get or list subject, answered on its reply subject. */
export type RegistryQuery = { op: "get"; name: string } | { op: "list" };

/** One node's answer to a query: its matching local registrations. */
export interface RegistryAnswer {
  /** Id of the answering registry instance. */
  registry: string;
  /**
   * Random id of this answer, the same on each of its parts and new for every
   * query (absent from older answerers): whoever forges a last part with the
   * answerer's registry id cannot end its answer early without knowing it.
   */
  answer?: string;
  /** How long the answerer's nodes stay alive without a heartbeat (clamped to `maxTtlMs`). */
  ttl: number;
  services: ServiceInfo[];
  /**
   * More parts of this answer follow (an instance holding more records than
   * one message may carry answers in parts of at most `maxNodesPerMessage`
   * records): the asker counts the instance as answered at its last part.
   */
  more?: boolean;
}

/**
 * Announcements on a service's watch subject. `registry` is the id of the
 * announcing registry instance, so that askers know which instances will
 * answer queries. A deregister names each node with the key whose SHA-256 is
 * the node's `seal`: only the node's owner knows it.
 */
export type Announcement =
  | { op: "register"; registry: string; ttl: number; service: ServiceInfo }
  | { op: "deregister"; name: string; version: string; nodes: WithdrawnNode[] }
  | {
      op: "heartbeat";
      registry: string;
      ttl: number;
      nodes: HeartbeatEntry[];
      /** When it was sent (ms since the epoch), covered by `signature`: bounds replays. */
      at?: number;
      signature?: { signer: string; sig: string };
    };

/** A node saying "still here" without repeating its whole record. */
export interface HeartbeatEntry {
  name: string;
  version: string;
  id: string;
}

/** A node its owner withdraws, proven by the key behind its seal. */
export interface WithdrawnNode {
  id: string;
  key: string;
}

/** A message broke a rule: what it was about (as far as readable) and why it was refused. */
export interface Refusal {
  op: "refused";
  name: string;
  reason: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** JSON text of one service record; `withDescriptors` adds the file descriptors. */
export function serviceJson(service: ServiceInfo, withDescriptors: boolean): string {
  const { fileDescriptors, ...rest } = service;
  if (!withDescriptors || fileDescriptors === undefined) return JSON.stringify(rest);
  return JSON.stringify({
    ...rest,
    fileDescriptors: toBase64(fileDescriptors),
  });
}

/**
 * One answer part assembled from pre-encoded service records, without its
 * leading `{"answer":…,`: the same bytes serve every query until the records
 * change, `withAnswerId` completes them per query.
 */
export function answerPartTail(
  registry: string,
  ttl: number,
  servicesJson: string[],
  more = false,
): Uint8Array {
  const flag = more ? `,"more":true` : "";
  return encoder.encode(
    `"registry":${JSON.stringify(registry)},"ttl":${ttl}${flag},"services":[${servicesJson.join(",")}]}`,
  );
}

/** Bytes `withAnswerId` adds to a tail, with a nuid (22 characters) as the id. */
export const answerHeadBytes = `{"answer":"${"0".repeat(22)}",`.length;

/** A complete answer part: `tail` after the id of this answer (ASCII, no escapes: a nuid). */
export function withAnswerId(answer: string, tail: Uint8Array): Uint8Array {
  const head = encoder.encode(`{"answer":"${answer}",`);
  const body = new Uint8Array(head.length + tail.length);
  body.set(head, 0);
  body.set(tail, head.length);
  return body;
}

export function encodeJson(value: RegistryQuery | Announcement): Uint8Array {
  if (value.op === "register") {
    const service = serviceJson(value.service, true);
    const from = `,"registry":${JSON.stringify(value.registry)},"ttl":${value.ttl}`;
    return encoder.encode(`{"op":"register"${from},"service":${service}}`);
  }
  return encoder.encode(JSON.stringify(value));
}

function parse(data: Uint8Array, rules: RecordRules): unknown {
  if (data.length > rules.limits.maxMessageBytes) {
    throw new RefusedRecord(`message of ${data.length} bytes exceeds maxMessageBytes`);
  }
  try {
    return JSON.parse(decoder.decode(data));
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringMap(value: unknown, rules: RecordRules): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(value)) return out;
  const entries = Object.entries(value);
  if (entries.length > rules.limits.maxMetadataEntries) {
    throw new RefusedRecord(`metadata of ${entries.length} entries exceeds maxMetadataEntries`);
  }
  for (const [k, v] of entries) {
    if (typeof v !== "string") continue;
    rules.checkLength(k, rules.limits.maxStringLength, "metadata key");
    rules.checkLength(v, rules.limits.maxStringLength, "metadata value");
    out[k] = v;
  }
  return out;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** A name-like string within `maxNameLength`, else `undefined` (absent) or a refusal (too long). */
function name(value: unknown, rules: RecordRules, what: string): string | undefined {
  const text = str(value);
  if (text !== undefined) rules.checkLength(text, rules.limits.maxNameLength, what);
  return text;
}

const methodKinds: ReadonlySet<string> = new Set<MethodKind>([
  "unary",
  "server_streaming",
  "client_streaming",
  "bidi_streaming",
]);

function toEndpoint(value: unknown, rules: RecordRules): EndpointInfo | undefined {
  if (!isRecord(value)) return undefined;
  const endpoint = name(value.name, rules, "endpoint name");
  const kind = str(value.kind);
  const requestType = name(value.requestType, rules, "request type");
  const responseType = name(value.responseType, rules, "response type");
  if (!endpoint || !kind || !methodKinds.has(kind) || !requestType || !responseType) {
    return undefined;
  }
  return {
    name: endpoint,
    kind: kind as MethodKind,
    requestType,
    responseType,
    metadata: stringMap(value.metadata, rules),
  };
}

function toNode(value: unknown, service: string, rules: RecordRules): ServiceNode | undefined {
  if (!isRecord(value)) return undefined;
  const id = str(value.id);
  const address = str(value.address);
  if (!id || address === undefined) return undefined;
  checkNodeId(id, rules);
  rules.checkAddress(service, id, address);
  const node: ServiceNode = { id, address, metadata: stringMap(value.metadata, rules) };
  const seal = str(value.seal);
  if (seal !== undefined) node.seal = rules.checkSeal(seal);
  const locality = toLocality(value.locality);
  if (locality) node.locality = locality;
  return node;
}

function defined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

function boundedArray(value: unknown, max: number, what: string): unknown[] {
  if (!Array.isArray(value)) return [];
  if (value.length > max)
    throw new RefusedRecord(`${value.length} ${what} exceed the limit ${max}`);
  return value;
}

/**
 * File descriptors decoded during one lookup. Every instance answering it
 * sends its version's descriptors (~20 KB of base64 for a small service) in
 * its first part: the same text is decoded once and its records share the
 * bytes. Scoped to a lookup so that no registry keeps the text afterwards.
 */
export class DescriptorMemo {
  private text = "";
  private bytes: Uint8Array | undefined;

  decode(text: string): Uint8Array {
    if (this.bytes === undefined || text !== this.text) {
      this.text = text;
      this.bytes = fromBase64(text);
    }
    return this.bytes;
  }
}

/** Reads a service record; malformed yields `undefined`, a broken rule throws `RefusedRecord`. */
export function toService(
  value: unknown,
  rules: RecordRules,
  memo?: DescriptorMemo,
): ServiceInfo | undefined {
  if (!isRecord(value)) return undefined;
  const serviceName = str(value.name);
  const version = name(value.version, rules, "version");
  if (!serviceName || version === undefined) return undefined;
  checkServiceName(serviceName, rules);
  const { maxEndpoints, maxNodesPerMessage } = rules.limits;
  const service: ServiceInfo = {
    name: serviceName,
    version,
    metadata: stringMap(value.metadata, rules),
    endpoints: boundedArray(value.endpoints, maxEndpoints, "endpoints")
      .map((e) => toEndpoint(e, rules))
      .filter(defined),
    nodes: boundedArray(value.nodes, maxNodesPerMessage, "nodes")
      .map((n) => toNode(n, serviceName, rules))
      .filter(defined),
  };
  const fd = str(value.fileDescriptors);
  if (fd !== undefined) service.fileDescriptors = memo ? memo.decode(fd) : fromBase64(fd);
  const signature = toSignature(value.signature, rules);
  if (signature) service.signature = signature;
  return service;
}

function toSignature(
  value: unknown,
  rules: RecordRules,
): { signer: string; sig: string } | undefined {
  if (!isRecord(value)) return undefined;
  const signer = name(value.signer, rules, "signer");
  const sig = str(value.sig);
  if (!signer || !sig) return undefined;
  rules.checkLength(sig, rules.limits.maxStringLength, "signature");
  return { signer, sig };
}

function ttlOf(value: unknown, rules: RecordRules): number | undefined {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) return undefined;
  return Math.min(value, rules.limits.maxTtlMs);
}

/** Runs a decoder, turning a broken rule into a `Refusal` about `name`. */
function refusing<T>(name: string, decode: () => T): T | Refusal {
  try {
    return decode();
  } catch (err) {
    if (err instanceof RefusedRecord) return { op: "refused", name, reason: err.message };
    throw err;
  }
}

export function decodeQuery(data: Uint8Array): RegistryQuery | undefined {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(data));
  } catch {
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  if (value.op === "list") return { op: "list" };
  const queried = str(value.name);
  if (value.op === "get" && queried) return { op: "get", name: queried };
  return undefined;
}

/**
 * Reads an answer to a query. For a `get` of `name`, records of any other
 * service are dropped: an answerer speaks only for the service asked about.
 */
export function decodeAnswer(
  data: Uint8Array,
  rules: RecordRules,
  name?: string,
  memo?: DescriptorMemo,
): RegistryAnswer | Refusal | undefined {
  return refusing(name ?? "", () => {
    const value = parse(data, rules);
    if (!isRecord(value)) return undefined;
    const registry = str(value.registry);
    if (registry) rules.checkLength(registry, rules.limits.maxNameLength, "registry id");
    const ttl = ttlOf(value.ttl, rules);
    if (!registry || ttl === undefined || !Array.isArray(value.services)) return undefined;
    const services = boundedArray(value.services, rules.limits.maxNodesPerMessage, "records")
      .map((s) => toService(s, rules, memo))
      .filter(defined)
      .filter((s) => name === undefined || s.name === name);
    const decoded: RegistryAnswer = { registry, ttl, services };
    const answer = str(value.answer);
    if (answer !== undefined) {
      rules.checkLength(answer, rules.limits.maxNameLength, "answer id");
      decoded.answer = answer;
    }
    if (value.more === true) decoded.more = true;
    return decoded;
  });
}

function toHeartbeat(
  value: unknown,
  service: string,
  rules: RecordRules,
): HeartbeatEntry | undefined {
  if (!isRecord(value)) return undefined;
  const beatName = str(value.name);
  const version = name(value.version, rules, "version");
  const id = str(value.id);
  if (!beatName || version === undefined || !id) return undefined;
  if (beatName !== service)
    throw new RefusedRecord(`heartbeat for ${beatName} on the subject of ${service}`);
  checkNodeId(id, rules);
  return { name: beatName, version, id };
}

function toWithdrawn(value: unknown, rules: RecordRules): WithdrawnNode | undefined {
  if (!isRecord(value)) return undefined;
  const id = str(value.id);
  const key = str(value.key);
  if (!id || !key) return undefined;
  checkNodeId(id, rules);
  rules.checkLength(key, rules.limits.maxNameLength, "withdrawal key");
  return { id, key };
}

/**
 * Reads an announcement received on the watch subject of `service`. An
 * announcement about another service is refused: NATS permissions on the
 * per-service subject decide who may speak for a service.
 */
export function decodeAnnouncement(
  data: Uint8Array,
  rules: RecordRules,
  service: string,
): Announcement | Refusal | undefined {
  return refusing(service, () => {
    const value = parse(data, rules);
    if (!isRecord(value)) return undefined;
    const registry = name(value.registry, rules, "registry id");
    const ttl = ttlOf(value.ttl, rules);
    const { maxNodesPerMessage } = rules.limits;
    if (value.op === "heartbeat") {
      if (!registry || ttl === undefined) return undefined;
      const nodes = boundedArray(value.nodes, maxNodesPerMessage, "nodes")
        .map((n) => toHeartbeat(n, service, rules))
        .filter(defined);
      const beat: Announcement = { op: "heartbeat", registry, ttl, nodes };
      if (typeof value.at === "number" && Number.isFinite(value.at)) beat.at = value.at;
      const signature = toSignature(value.signature, rules);
      if (signature) beat.signature = signature;
      return beat;
    }
    if (value.op === "deregister") {
      const version = name(value.version, rules, "version");
      if (value.name !== service || version === undefined) return undefined;
      const nodes = boundedArray(value.nodes, maxNodesPerMessage, "nodes")
        .map((n) => toWithdrawn(n, rules))
        .filter(defined);
      return { op: "deregister", name: service, version, nodes };
    }
    if (value.op !== "register" || !registry || ttl === undefined) return undefined;
    const record = toService(value.service, rules);
    if (!record) return undefined;
    if (record.name !== service) {
      throw new RefusedRecord(`record of ${record.name} on the subject of ${service}`);
    }
    return { op: "register", registry, ttl, service: record };
  });
}
