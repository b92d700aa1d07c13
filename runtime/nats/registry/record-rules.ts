import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { serviceAddress } from "../../transport/subjects.js";
import type { RegistryLimits } from "./registry-limits.js";

/** A record or message broke one of the registry's rules; the message says which. */
export class RefusedRecord extends Error {}

/** A node id is one subject token: it ends the node's address, which is derived from it. */
const nodeIdPattern = /^[A-Za-z0-9_-]+$/;
/** A protobuf full name: dot-separated identifiers, each a subject token. */
const serviceNamePattern = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const sealLength = 64;
const sealPattern = /^[0-9a-f]+$/;

/**
 * What every record must satisfy, whoever sent it: the limits, and an address
 * equal to `serviceAddress(namespace, service, id)`, so that a node id can
 * only ever point at the subject only its owner subscribes to.
 */
export class RecordRules {
  constructor(
    readonly namespace: string | undefined,
    readonly limits: RegistryLimits,
  ) {}

  checkLength(value: string, max: number, what: string): void {
    if (value.length > max)
      throw new RefusedRecord(`${what} of ${value.length} characters exceeds ${max}`);
  }

  checkAddress(service: string, id: string, address: string): void {
    const expected = serviceAddress(this.namespace, service, id);
    if (address !== expected) {
      throw new RefusedRecord(
        `node ${id} of ${service} claims address ${address.slice(0, 200)}, not ${expected}`,
      );
    }
  }

  checkSeal(seal: string): string {
    // The length apart: `{64}` in the pattern made the check twice as slow (per node of every answer).
    if (seal.length !== sealLength || !sealPattern.test(seal)) {
      throw new RefusedRecord("a node's seal must be 64 hex digits");
    }
    return seal;
  }
}

export function checkNodeId(id: string, rules: RecordRules): void {
  rules.checkLength(id, rules.limits.maxNameLength, "node id");
  if (!nodeIdPattern.test(id))
    throw new RefusedRecord(
      `node id ${JSON.stringify(id.slice(0, 64))} is not one subject token of [A-Za-z0-9_-]`,
    );
}

export function checkServiceName(name: string, rules: RecordRules): void {
  rules.checkLength(name, rules.limits.maxNameLength, "service name");
  if (!serviceNamePattern.test(name))
    throw new RefusedRecord(
      `service name ${JSON.stringify(name.slice(0, 64))} is not a protobuf full name`,
    );
}

/**
 * The seal of a node: the SHA-256 of a secret key its owner keeps. Records
 * carry the seal, a deregister carries the key; nobody who only saw the
 * records can withdraw the node.
 */
export function sealOf(key: string): string {
  return bytesToHex(sha256(utf8ToBytes(key)));
}
