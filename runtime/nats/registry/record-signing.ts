import { fromPublic, fromSeed, type KeyPair } from "@nats-io/nkeys";
import { fromBase64, toBase64 } from "../../platform/bytes.js";
import type { ServiceInfo } from "../../registry/registry.js";
import type { HeartbeatEntry } from "./registry-wire.js";

/**
 * Signed records, for deployments that cannot give each service its own NATS
 * permissions: a process signs its records and heartbeats with an nkey
 * (ed25519), and caches accept records of a service only when signed by a
 * key trusted for it.
 */
export interface RecordSigningOptions {
  /** The nkey seed (`SU...`, e.g. from `nk -gen user`) this process signs its records with. */
  seed?: string;
  /**
   * Public nkeys (`U...`) trusted to announce each service, by full name;
   * `"*"` applies to services not listed. Records and heartbeats of a
   * service with trusted keys are refused unless signed by one of them.
   */
  trusted?: Record<string, readonly string[]>;
}

/** A record's or heartbeat's signature: the signer's public nkey and the base64 ed25519 signature. */
export interface RecordSignature {
  signer: string;
  sig: string;
}

const encoder = new TextEncoder();

function sortedEntries(map: Record<string, string>): [string, string][] {
  return Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The bytes a record's signature covers: name, version, metadata, endpoints
 * and nodes (ids, addresses, metadata, seals), in a fixed order. File
 * descriptors and fields added later are not covered.
 */
export function recordSigningBytes(service: ServiceInfo): Uint8Array {
  return encoder.encode(
    JSON.stringify([
      "record",
      service.name,
      service.version,
      sortedEntries(service.metadata),
      service.endpoints.map((e) => [
        e.name,
        e.kind,
        e.requestType,
        e.responseType,
        sortedEntries(e.metadata),
      ]),
      service.nodes.map((n) => [
        n.id,
        n.address,
        sortedEntries(n.metadata),
        n.seal ?? "",
        [n.locality?.cluster ?? "", n.locality?.server ?? "", n.locality?.zone ?? ""],
      ]),
    ]),
  );
}

/** The bytes a heartbeat's signature covers; `at` bounds how long it can be replayed. */
export function heartbeatSigningBytes(
  registry: string,
  ttl: number,
  at: number,
  nodes: readonly HeartbeatEntry[],
): Uint8Array {
  return encoder.encode(
    JSON.stringify(["heartbeat", registry, ttl, at, nodes.map((n) => [n.name, n.version, n.id])]),
  );
}

/** Signs this process's records and checks peers' against the trusted keys. */
export class RecordSigning {
  private readonly pair: KeyPair | undefined;
  private readonly verifiers = new Map<string, KeyPair>();

  constructor(private readonly options: RecordSigningOptions = {}) {
    this.pair = options.seed ? fromSeed(encoder.encode(options.seed)) : undefined;
    for (const keys of Object.values(options.trusted ?? {})) {
      for (const key of keys)
        if (!this.verifiers.has(key)) this.verifiers.set(key, fromPublic(key));
    }
  }

  /** The signature of `bytes`, when this process has a seed. */
  sign(bytes: Uint8Array): RecordSignature | undefined {
    if (!this.pair) return undefined;
    return {
      signer: this.pair.getPublicKey(),
      sig: toBase64(this.pair.sign(bytes)),
    };
  }

  private trustedFor(service: string): readonly string[] | undefined {
    const trusted = this.options.trusted;
    return trusted?.[service] ?? trusted?.["*"];
  }

  /** Why `signature` over `bytes` is not acceptable for `service`, or `undefined` when it is. */
  check(
    service: string,
    bytes: () => Uint8Array,
    signature: RecordSignature | undefined,
  ): string | undefined {
    const trusted = this.trustedFor(service);
    if (!trusted) return undefined;
    if (!signature) return `unsigned announcement of ${service}, which requires a signature`;
    if (!trusted.includes(signature.signer)) {
      return `${service} signed by ${signature.signer.slice(0, 12)}…, which is not trusted for it`;
    }
    const verifier = this.verifiers.get(signature.signer);
    let valid = false;
    try {
      valid = verifier?.verify(bytes(), fromBase64(signature.sig)) ?? false;
    } catch {
      valid = false;
    }
    return valid ? undefined : `bad signature on an announcement of ${service}`;
  }
}
