import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
import { withoutDescriptors } from "./aggregate-services.js";
import type { ServiceInfo } from "./registry.js";
import type { RegistrySubjects } from "./registry-subjects.js";
import {
  answerBytes,
  decodeQuery,
  encodeJson,
  type HeartbeatEntry,
  serviceJson,
} from "./registry-wire.js";

interface LocalRecord {
  /** The record with this one node. */
  service: ServiceInfo;
  /** Pre-encoded answers: a query costs no JSON encoding. */
  full: string;
  light: string;
}

export interface LocalRegistrationsOptions {
  registryId: string;
  heartbeatIntervalMs: number;
  ttlMs: number;
}

const fallbackMaxPayload = 1024 * 1024;

function keyOf(name: string, version: string, nodeId: string): string {
  return `${name}\u0000${version}\u0000${nodeId}`;
}

/**
 * The nodes this process registered: answers broadcast queries for them and
 * keeps them alive in every cache with one heartbeat message per interval
 * (one timer for all of them).
 */
export class LocalRegistrations {
  private readonly records = new Map<string, LocalRecord>();
  private sub: Subscription | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;

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
   * `confirm`, waits until the server has the subscription and announcement.
   */
  async add(service: ServiceInfo, confirm: boolean): Promise<void> {
    this.ensureAnswering();
    for (const node of service.nodes) {
      const single: ServiceInfo = { ...service, nodes: [node] };
      this.records.set(keyOf(service.name, service.version, node.id), {
        service: single,
        full: serviceJson(single, true),
        light: serviceJson(single, false),
      });
      this.announce(single);
    }
    this.ensureHeartbeat();
    // Once the server has our query subscription and the announcement, every
    // lookup (cold or cached) anywhere in the cluster can see the new node.
    if (confirm) await this.nc.flush();
  }

  /** Withdraws each node of `service` listed locally, announcing it at once. */
  async remove(service: ServiceInfo, confirm: boolean): Promise<void> {
    const withdrawn: ServiceInfo["nodes"] = [];
    for (const node of service.nodes) {
      if (this.records.delete(keyOf(service.name, service.version, node.id))) withdrawn.push(node);
    }
    if (withdrawn.length > 0) {
      this.nc.publish(
        this.subjects.watch,
        encodeJson({ op: "deregister", service: { ...service, nodes: withdrawn } }),
      );
    }
    if (this.records.size === 0) this.stopHeartbeat();
    if (confirm) await this.nc.flush();
  }

  /**
   * Announces every node again, e.g. after a reconnection during which caches
   * may have expired them; `update` first rewrites each record (a reconnection
   * may have moved the process to another server or cluster).
   */
  reannounceAll(update?: (service: ServiceInfo) => ServiceInfo): void {
    for (const record of this.records.values()) {
      if (update) {
        const service = update(record.service);
        record.service = service;
        record.full = serviceJson(service, true);
        record.light = serviceJson(service, false);
      }
      this.announce(record.service);
    }
  }

  private announce(service: ServiceInfo): void {
    const { registryId: registry, ttlMs: ttl } = this.options;
    const full = encodeJson({ op: "register", registry, ttl, service });
    const data =
      full.length <= this.maxPayload()
        ? full
        : encodeJson({ op: "register", registry, ttl, service: withoutDescriptors(service) });
    this.nc.publish(this.subjects.watch, data);
  }

  private maxPayload(): number {
    return this.nc.info?.max_payload ?? fallbackMaxPayload;
  }

  private ensureAnswering(): void {
    if (this.sub) return;
    this.sub = this.nc.subscribe(this.subjects.query, {
      callback: (err, msg) => {
        if (!err) this.answer(msg);
      },
    });
  }

  private answer(msg: Msg): void {
    if (!msg.reply) return;
    const query = decodeQuery(msg.data);
    if (!query) return;
    const { registryId, ttlMs } = this.options;
    const matching: LocalRecord[] = [];
    for (const record of this.records.values()) {
      if (query.op === "list" || record.service.name === query.name) matching.push(record);
    }
    // Nodes answer even when they hold nothing that matches: the asker then
    // knows within a quiet window that the service does not exist, instead of
    // waiting for its whole timeout.
    let body =
      query.op === "get"
        ? answerBytes(
            registryId,
            ttlMs,
            matching.map((r) => r.full),
          )
        : answerBytes(
            registryId,
            ttlMs,
            matching.map((r) => r.light),
          );
    if (body.length > this.maxPayload()) {
      // Descriptors too large for one message: answer without them rather than not at all.
      body = answerBytes(
        registryId,
        ttlMs,
        matching.map((r) => r.light),
      );
    }
    try {
      this.nc.publish(msg.reply, body);
    } catch {
      // The connection is closing: the asker will time out or see the closure itself.
    }
  }

  private ensureHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => this.beat(), this.options.heartbeatIntervalMs);
    // Heartbeats must never keep a process alive.
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private beat(): void {
    if (this.nc.isClosed()) return;
    const nodes: HeartbeatEntry[] = [];
    for (const { service } of this.records.values()) {
      const node = service.nodes[0];
      if (node) nodes.push({ name: service.name, version: service.version, id: node.id });
    }
    if (nodes.length === 0) return;
    try {
      this.nc.publish(
        this.subjects.watch,
        encodeJson({
          op: "heartbeat",
          registry: this.options.registryId,
          ttl: this.options.ttlMs,
          nodes,
        }),
      );
    } catch {
      // Closed or draining: the next beat (if any) tries again.
    }
  }

  /** Stops answering and heartbeating; the records stay until TTL in remote caches. */
  close(): void {
    this.stopHeartbeat();
    this.sub?.unsubscribe();
    this.sub = undefined;
    this.records.clear();
  }
}
