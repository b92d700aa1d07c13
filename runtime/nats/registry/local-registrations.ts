import { type Msg, type NatsConnection, nuid, type Subscription } from "@nats-io/nats-core";
import { toBase64 } from "../../platform/bytes.js";
import { withoutDescriptors } from "../../registry/aggregate-services.js";
import type { ServiceInfo } from "../../registry/registry.js";
import { sealOf } from "./record-rules.js";
import { heartbeatSigningBytes, type RecordSigning, recordSigningBytes } from "./record-signing.js";
import type { RegistrySubjects } from "./registry-subjects.js";
import {
  answerHeadBytes,
  answerPartTail,
  decodeQuery,
  encodeJson,
  type HeartbeatEntry,
  serviceJson,
  withAnswerId,
} from "./registry-wire.js";

interface LocalRecord {
  /** The record with this one node (its seal included). */
  service: ServiceInfo;
  /** The secret whose SHA-256 is the node's seal; revealed only to withdraw it. */
  key: string;
  /** Pre-encoded JSON, so that a query costs no encoding: the record without descriptors, */
  light: string;
  /**
   * what nodes of one version share (name, version, metadata, endpoints),
   * or undefined for a signed record (its signature covers its one node),
   */
  shape: string | undefined;
  /** and its node. */
  node: string;
}

/** The pre-encoded parts of a one-node record. */
function encoded(service: ServiceInfo): Pick<LocalRecord, "light" | "shape" | "node"> {
  const { nodes, fileDescriptors: _d, signature, ...shared } = service;
  return {
    light: serviceJson(service, false),
    shape: signature === undefined ? JSON.stringify(shared) : undefined,
    node: JSON.stringify(nodes[0]),
  };
}

/** One record of an answer, already JSON, and how many nodes it lists. */
interface AnswerRecord {
  json: string;
  /** The same with the version's file descriptors (the first record of a version in a get answer). */
  described?: string;
  nodes: number;
  /** Name and version (`versionOf`). */
  version: string;
}

export interface LocalRegistrationsOptions {
  registryId: string;
  heartbeatIntervalMs: number;
  ttlMs: number;
  /**
   * Most nodes (records) one answer, heartbeat or deregister may carry:
   * askers refuse larger messages whole, so more nodes go in several parts.
   */
  maxNodesPerMessage: number;
  /** Signs records and heartbeats when configured with a seed. */
  signing?: RecordSigning;
}

const fallbackMaxPayload = 1024 * 1024;
/** Key of the list answer in `answers` (no service name is empty). */
const listKey = "";

function keyOf(name: string, version: string, nodeId: string): string {
  return `${name}\u0000${version}\u0000${nodeId}`;
}

function versionOf(service: ServiceInfo): string {
  return `${service.name}\u0000${service.version}`;
}

/** `items` in consecutive parts of at most `size` (one empty part when there are none). */
function partsOf<T>(items: T[], size: number): T[][] {
  if (items.length <= size) return [items];
  const parts: T[][] = [];
  for (let i = 0; i < items.length; i += size) parts.push(items.slice(i, i + size));
  return parts;
}

/**
 * The nodes this process registered: answers broadcast queries for them and
 * keeps them alive in every cache with one heartbeat message per service and
 * interval (one timer for all of them). Every message about service S goes
 * to a subject naming S, so NATS permissions decide who may speak for S.
 */
export class LocalRegistrations {
  private readonly records = new Map<string, LocalRecord>();
  /** One get-query subscription per registered service name. */
  private readonly getSubs = new Map<string, Subscription>();
  private listSub: Subscription | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  /**
   * Versions (name and version) whose file descriptors were announced. All
   * nodes of a version share them, so only the first register of a version
   * carries them: with descriptors of ~20 KB, 1,000 instances announced 20 MB.
   */
  private readonly described = new Set<string>();
  /**
   * Base64 file descriptors of each version held, encoded once: a copy in
   * each of 250 records of a version was ~5 MB of strings.
   */
  private readonly descriptors = new Map<string, string>();
  /**
   * Encoded answer parts (without their per-query answer id) by service name,
   * `listKey` for lists, built at the first query after a change: a query is
   * then answered by publishing ready bytes (250 nodes cost ~0.3 ms of
   * grouping, joining and encoding per query, on every answering process).
   */
  private readonly answers = new Map<string, Uint8Array[]>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: RegistrySubjects,
    private readonly options: LocalRegistrationsOptions,
  ) {}

  get size(): number {
    return this.records.size;
  }

  /**
   * Adds (or refreshes) each node of `service` and announces it. With
   * `confirm`, waits until the server has the subscriptions and announcement.
   */
  async add(service: ServiceInfo, confirm: boolean): Promise<void> {
    this.ensureAnswering(service.name);
    this.forgetAnswers(service.name);
    for (const node of service.nodes) {
      const id = keyOf(service.name, service.version, node.id);
      // Re-registering keeps the key: caches bound the node to its first seal.
      const key = this.records.get(id)?.key ?? `${nuid.next()}${nuid.next()}`;
      const single: ServiceInfo = { ...service, nodes: [{ ...node, seal: sealOf(key) }] };
      const signature = this.options.signing?.sign(recordSigningBytes(single));
      if (signature) single.signature = signature;
      this.records.set(id, {
        service: single,
        key,
        ...encoded(single),
      });
      if (single.fileDescriptors !== undefined && !this.descriptors.has(versionOf(single))) {
        this.descriptors.set(versionOf(single), toBase64(single.fileDescriptors));
      }
      this.announce(single, this.firstOfVersion(single));
    }
    this.ensureHeartbeat();
    // Once the server has our query subscription and the announcement, every
    // lookup (cold or cached) anywhere in the cluster can see the new node.
    if (confirm) await this.nc.flush();
  }

  /** Withdraws each node of `service` listed locally, announcing it at once with its key. */
  async remove(service: ServiceInfo, confirm: boolean): Promise<void> {
    const withdrawn: { id: string; key: string }[] = [];
    for (const node of service.nodes) {
      const id = keyOf(service.name, service.version, node.id);
      const record = this.records.get(id);
      if (!record) continue;
      this.records.delete(id);
      withdrawn.push({ id: node.id, key: record.key });
    }
    if (withdrawn.length > 0) this.forgetAnswers(service.name);
    if (withdrawn.length > 0) {
      for (const nodes of partsOf(withdrawn, this.options.maxNodesPerMessage)) {
        this.nc.publish(
          this.subjects.watch(service.name),
          encodeJson({ op: "deregister", name: service.name, version: service.version, nodes }),
        );
      }
    }
    if (!this.holdsVersion(service)) {
      this.described.delete(versionOf(service));
      this.descriptors.delete(versionOf(service));
    }
    this.stopAnsweringIfGone(service.name);
    if (this.records.size === 0) this.stopHeartbeat();
    if (confirm) await this.nc.flush();
  }

  /**
   * Announces every node again, e.g. after a reconnection during which caches
   * may have expired them; `update` first rewrites each record (a reconnection
   * may have moved the process to another server or cluster).
   */
  reannounceAll(update?: (service: ServiceInfo) => ServiceInfo): void {
    this.described.clear();
    // Records may change, and so may the new server's max_payload.
    this.answers.clear();
    for (const record of this.records.values()) {
      if (update) {
        const service = update(record.service);
        record.service = service;
        Object.assign(record, encoded(service));
      }
      this.announce(record.service, this.firstOfVersion(record.service));
    }
  }

  /** Whether `service` is the first of its version announced (and marks it announced). */
  private firstOfVersion(service: ServiceInfo): boolean {
    const key = versionOf(service);
    if (this.described.has(key)) return false;
    this.described.add(key);
    return true;
  }

  private holdsVersion(service: ServiceInfo): boolean {
    for (const record of this.records.values()) {
      if (record.service.name === service.name && record.service.version === service.version) {
        return true;
      }
    }
    return false;
  }

  private announce(service: ServiceInfo, withDescriptors: boolean): void {
    const { registryId: registry, ttlMs: ttl } = this.options;
    const light = { op: "register" as const, registry, ttl, service: withoutDescriptors(service) };
    if (!withDescriptors || service.fileDescriptors === undefined) {
      this.nc.publish(this.subjects.watch(service.name), encodeJson(light));
      return;
    }
    const full = encodeJson({ op: "register", registry, ttl, service });
    this.nc.publish(
      this.subjects.watch(service.name),
      full.length <= this.maxPayload() ? full : encodeJson(light),
    );
  }

  private maxPayload(): number {
    return this.nc.info?.max_payload ?? fallbackMaxPayload;
  }

  private ensureAnswering(name: string): void {
    if (!this.listSub) {
      this.listSub = this.nc.subscribe(this.subjects.list, {
        callback: (err, msg) => {
          if (!err) this.answer(msg, undefined);
        },
      });
    }
    if (this.getSubs.has(name)) return;
    this.getSubs.set(
      name,
      this.nc.subscribe(this.subjects.get(name), {
        callback: (err, msg) => {
          if (!err) this.answer(msg, name);
        },
      }),
    );
  }

  private stopAnsweringIfGone(name: string): void {
    for (const record of this.records.values()) if (record.service.name === name) return;
    this.getSubs.get(name)?.unsubscribe();
    this.getSubs.delete(name);
  }

  /** The records of `name` changed: its answer and the list answer are built again. */
  private forgetAnswers(name: string): void {
    this.answers.delete(name);
    this.answers.delete(listKey);
  }

  /** Answers a list query (`name` undefined) or a get of `name` on its own subject. */
  private answer(msg: Msg, name: string | undefined): void {
    if (!msg.reply) return;
    const query = decodeQuery(msg.data);
    if (!query) return;
    if (query.op === "get" && query.name !== name) return;
    if (query.op === "list" && name !== undefined) return;
    const key = name ?? listKey;
    let tails = this.answers.get(key);
    if (!tails) {
      tails = this.encodeAnswer(name);
      this.answers.set(key, tails);
    }
    // A new id per query: an asker's peer cannot learn it by asking itself.
    const id = nuid.next();
    // Instances answer even when they hold nothing that matches: the asker
    // then knows within a quiet window that nothing more is coming.
    for (const tail of tails) {
      try {
        this.nc.publish(msg.reply, withAnswerId(id, tail));
      } catch {
        // The connection is closing: the asker will time out or see the closure itself.
        return;
      }
    }
  }

  /** The parts of the answer to a get of `name` (a list when undefined), without their answer id. */
  private encodeAnswer(name: string | undefined): Uint8Array[] {
    const { registryId, ttlMs } = this.options;
    const matching: LocalRecord[] = [];
    for (const record of this.records.values()) {
      if (name === undefined || record.service.name === name) matching.push(record);
    }
    const parts = this.answerParts(matching, name !== undefined);
    const room = this.maxPayload() - answerHeadBytes;
    return parts.map((part, i) => {
      const more = i < parts.length - 1;
      const tail = answerPartTail(
        registryId,
        ttlMs,
        part.map((r) => r.described ?? r.json),
        more,
      );
      // Descriptors too large for one message: answer without them rather than not at all.
      if (tail.length <= room) return tail;
      return answerPartTail(
        registryId,
        ttlMs,
        part.map((r) => r.json),
        more,
      );
    });
  }

  /**
   * The records of an answer, in parts of at most `maxNodesPerMessage` nodes
   * (askers refuse a larger message whole). Nodes of one version share one
   * record (name, version, metadata and endpoints written once, not per
   * node: 1,000 instances answered ~1.1 MB of JSON, which the asker spent
   * ~25 ms of CPU parsing); signed records stay one per node. With
   * `describe`, the first record of each version carries its descriptors.
   */
  private answerParts(matching: LocalRecord[], describe: boolean): AnswerRecord[][] {
    const max = this.options.maxNodesPerMessage;
    const records: AnswerRecord[] = [];
    const byShape = new Map<string, LocalRecord[]>();
    for (const record of matching) {
      if (record.shape === undefined) {
        records.push({ json: record.light, nodes: 1, version: versionOf(record.service) });
      } else {
        const group = byShape.get(record.shape);
        if (group) group.push(record);
        else byShape.set(record.shape, [record]);
      }
    }
    for (const [shape, group] of byShape) {
      const head = shape.slice(0, -1); // without the closing brace
      for (const chunk of partsOf(group, max)) {
        records.push({
          json: `${head},"nodes":[${chunk.map((r) => r.node).join(",")}]}`,
          nodes: chunk.length,
          version: versionOf((group[0] as LocalRecord).service),
        });
      }
    }
    if (describe) {
      const described = new Set<string>();
      for (const record of records) {
        const b64 = this.descriptors.get(record.version);
        if (b64 === undefined || described.has(record.version)) continue;
        described.add(record.version);
        record.described = `${record.json.slice(0, -1)},"fileDescriptors":${JSON.stringify(b64)}}`;
      }
    }
    const parts: AnswerRecord[][] = [];
    let part: AnswerRecord[] = [];
    let nodes = 0;
    for (const record of records) {
      if (part.length > 0 && (nodes + record.nodes > max || part.length >= max)) {
        parts.push(part);
        part = [];
        nodes = 0;
      }
      part.push(record);
      nodes += record.nodes;
    }
    parts.push(part);
    return parts;
  }

  private ensureHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => this.beat(), this.options.heartbeatIntervalMs);
    // Heartbeats must never keep a process alive.
    this.heartbeat.unref?.(); // Browsers have no unref.
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** One heartbeat per service, on the service's own subject. */
  private beat(): void {
    if (this.nc.isClosed()) return;
    const byService = new Map<string, HeartbeatEntry[]>();
    for (const { service } of this.records.values()) {
      const node = service.nodes[0];
      if (!node) continue;
      const nodes = byService.get(service.name) ?? [];
      byService.set(service.name, nodes);
      nodes.push({ name: service.name, version: service.version, id: node.id });
    }
    try {
      const { registryId: registry, ttlMs: ttl, signing } = this.options;
      const at = Date.now();
      for (const [name, all] of byService) {
        // Parts of at most maxNodesPerMessage nodes: caches refuse a larger heartbeat whole.
        for (const nodes of partsOf(all, this.options.maxNodesPerMessage)) {
          const signature = signing?.sign(heartbeatSigningBytes(registry, ttl, at, nodes));
          const beat = signature
            ? { op: "heartbeat" as const, registry, ttl, nodes, at, signature }
            : { op: "heartbeat" as const, registry, ttl, nodes };
          this.nc.publish(this.subjects.watch(name), encodeJson(beat));
        }
      }
    } catch {
      // Closed or draining: the next beat (if any) tries again.
    }
  }

  /** Stops answering and heartbeating; the records stay until TTL in remote caches. */
  close(): void {
    this.stopHeartbeat();
    this.listSub?.unsubscribe();
    this.listSub = undefined;
    for (const sub of this.getSubs.values()) sub.unsubscribe();
    this.getSubs.clear();
    this.records.clear();
    this.described.clear();
    this.descriptors.clear();
    this.answers.clear();
  }
}
