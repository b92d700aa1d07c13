import { expect } from "vitest";

/*
 * The rules of the ADR-32 JSON schemas (`io.nats.micro.v1.*_response`, as
 * published for the `nats` CLI), written as assertions: required properties,
 * types, the name and semver patterns, integer statistics and RFC 3339 times.
 */

const basicName = /^[a-zA-Z0-9_-]+$/;
const semver =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function expectRequired(body: Json, keys: string[], where: string): void {
  for (const key of keys) expect(body, `${where}: "${key}" is required`).toHaveProperty(key);
}

function expectName(value: unknown, where: string): void {
  expect(typeof value, `${where} must be a string`).toBe("string");
  expect(value as string, where).toMatch(basicName);
}

function expectMetadata(value: unknown, where: string): void {
  if (value === null || value === undefined) return;
  expect(isObject(value), `${where} must be an object or null`).toBe(true);
  for (const [k, v] of Object.entries(value as Json)) {
    expect(typeof v, `${where}.${k} must be a string`).toBe("string");
  }
}

function expectInteger(value: unknown, where: string): void {
  // The schema allows any int64; a JavaScript number is exact only as a safe integer.
  expect(Number.isSafeInteger(value), `${where} must be an integer, got ${String(value)}`).toBe(
    true,
  );
}

function expectIdentity(body: Json, type: string): void {
  expect(body.type).toBe(type);
  expectName(body.name, "name");
  expect(typeof body.id).toBe("string");
  expect((body.id as string).length).toBeGreaterThan(0);
  expect(typeof body.version).toBe("string");
  expect(body.version as string).toMatch(semver);
  expectMetadata(body.metadata, "metadata");
}

export function expectPingResponse(body: unknown): void {
  expect(isObject(body)).toBe(true);
  const b = body as Json;
  expectRequired(b, ["type", "name", "id", "version"], "ping_response");
  expectIdentity(b, "io.nats.micro.v1.ping_response");
}

export function expectInfoResponse(body: unknown): void {
  expect(isObject(body)).toBe(true);
  const b = body as Json;
  expectRequired(b, ["type", "name", "id", "version", "description"], "info_response");
  expectIdentity(b, "io.nats.micro.v1.info_response");
  expect(typeof b.description).toBe("string");
  if (b.endpoints === undefined) return;
  expect(Array.isArray(b.endpoints)).toBe(true);
  for (const [i, e] of (b.endpoints as unknown[]).entries()) {
    expect(isObject(e)).toBe(true);
    const ep = e as Json;
    expectRequired(ep, ["name", "subject"], `endpoints[${i}]`);
    expectName(ep.name, `endpoints[${i}].name`);
    expect(typeof ep.subject).toBe("string");
    expect((ep.subject as string).length).toBeGreaterThan(0);
    expectMetadata(ep.metadata, `endpoints[${i}].metadata`);
  }
}

export function expectStatsResponse(body: unknown): void {
  expect(isObject(body)).toBe(true);
  const b = body as Json;
  expectRequired(b, ["type", "name", "id", "version", "started", "endpoints"], "stats_response");
  expectIdentity(b, "io.nats.micro.v1.stats_response");
  expect(typeof b.started).toBe("string");
  expect(b.started as string).toMatch(rfc3339);
  expect(Number.isNaN(Date.parse(b.started as string))).toBe(false);
  expect(Array.isArray(b.endpoints)).toBe(true);
  for (const [i, e] of (b.endpoints as unknown[]).entries()) {
    expect(isObject(e)).toBe(true);
    const ep = e as Json;
    const where = `endpoints[${i}]`;
    expectRequired(
      ep,
      [
        "name",
        "subject",
        "num_requests",
        "num_errors",
        "last_error",
        "processing_time",
        "average_processing_time",
      ],
      where,
    );
    expectName(ep.name, `${where}.name`);
    expect(typeof ep.subject).toBe("string");
    expect(typeof ep.last_error).toBe("string");
    for (const key of [
      "num_requests",
      "num_errors",
      "processing_time",
      "average_processing_time",
    ]) {
      expectInteger(ep[key], `${where}.${key}`);
    }
    if (ep.data !== undefined) expect(isObject(ep.data)).toBe(true);
  }
}
