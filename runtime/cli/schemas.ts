import { readFile } from "node:fs/promises";
import {
  createFileRegistry,
  type DescMessage,
  type DescService,
  type FileRegistry,
  fromBinary,
} from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import { descriptorSubject } from "../nats/micro/descriptor-responder.js";
import type { ServiceInfo } from "../registry/registry.js";
import type { Bus } from "./bus.js";
import { buildProtoDir } from "./proto-dir.js";

/** Reads a serialized `FileDescriptorSet`; a malformed one is `DataLoss`, not a crash. */
export function parseDescriptorSet(bytes: Uint8Array, from: string): FileRegistry {
  try {
    return createFileRegistry(fromBinary(FileDescriptorSetSchema, bytes));
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new RpcError(Code.DataLoss, `descriptors of ${from} are unusable: ${why}`);
  }
}

/**
 * Where schemas come from: `--proto <dir>` (compiled by buf) or a
 * `--descriptor-set` file when given, else the
 * registry records of the services on the bus (each record carries its
 * service's FileDescriptorSet), else the service's own descriptor endpoint.
 */
export class Schemas {
  readonly #bus: Bus;
  readonly #timeoutMs: number;
  #fromFile: FileRegistry | undefined;
  #list: Promise<ServiceInfo[]> | undefined;

  private constructor(bus: Bus, timeoutMs: number, fromFile: FileRegistry | undefined) {
    this.#bus = bus;
    this.#timeoutMs = timeoutMs;
    this.#fromFile = fromFile;
  }

  static async open(
    bus: Bus,
    timeoutMs: number,
    from: { descriptorSet?: string | undefined; proto?: string | undefined },
  ): Promise<Schemas> {
    const { descriptorSet, proto } = from;
    if (proto !== undefined) {
      return new Schemas(bus, timeoutMs, parseDescriptorSet(await buildProtoDir(proto), proto));
    }
    if (descriptorSet === undefined) return new Schemas(bus, timeoutMs, undefined);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(descriptorSet);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new RpcError(Code.NotFound, `cannot read descriptor set: ${why}`);
    }
    return new Schemas(bus, timeoutMs, parseDescriptorSet(bytes, descriptorSet));
  }

  /** Every service on the bus (registry `list`, without descriptors). */
  services(): Promise<ServiceInfo[]> {
    this.#list ??= this.#bus.runtime.registry.listServices();
    return this.#list;
  }

  /**
   * The full name a user means: exact, or the one service whose name ends
   * with `.<name>` (`Greeter` for `example.greeter.v1.Greeter`).
   */
  async serviceName(name: string): Promise<string> {
    // A full name is looked up directly (a cached `get`), without listing everything.
    if (!this.#fromFile && name.includes(".")) {
      const found = await this.#bus.runtime.registry.getService(name).catch(() => []);
      if (found.length > 0) return name;
    }
    const names = this.#fromFile
      ? [...this.#fromFile].filter((d) => d.kind === "service").map((d) => d.typeName)
      : (await this.services()).map((s) => s.name);
    const unique = [...new Set(names)];
    if (unique.includes(name)) return name;
    const matches = unique.filter((n) => n.endsWith(`.${name}`));
    if (matches.length === 1 && matches[0] !== undefined) return matches[0];
    if (matches.length > 1) {
      throw new RpcError(Code.InvalidArgument, `"${name}" is ambiguous: ${matches.join(", ")}`);
    }
    throw new RpcError(Code.NotFound, `no service "${name}" on the bus`);
  }

  /** The descriptor of a service, found by full or short name. */
  async service(name: string): Promise<DescService> {
    const full = await this.serviceName(name);
    const registry = this.#fromFile ?? (await this.#descriptorsOf(full));
    const desc = registry.getService(full);
    if (!desc) throw new RpcError(Code.NotFound, `no descriptor of service ${full}`);
    return desc;
  }

  /** All files known: the `--descriptor-set`, or those of every service on the bus. */
  async files(): Promise<FileRegistry> {
    if (this.#fromFile) return this.#fromFile;
    const names = [...new Set((await this.services()).map((s) => s.name))];
    const registries = await Promise.all(
      names.map((n) => this.#descriptorsOf(n).catch(() => undefined)),
    );
    return createFileRegistry(...registries.filter((r) => r !== undefined));
  }

  /** A message by full or short name, searching every known file. */
  async message(name: string): Promise<DescMessage> {
    const files = await this.files();
    const exact = files.getMessage(name);
    if (exact) return exact;
    const matches = [...files].filter(
      (d): d is DescMessage => d.kind === "message" && d.typeName.endsWith(`.${name}`),
    );
    if (matches.length === 1 && matches[0]) return matches[0];
    if (matches.length > 1) {
      throw new RpcError(
        Code.InvalidArgument,
        `"${name}" is ambiguous: ${matches.map((m) => m.typeName).join(", ")}`,
      );
    }
    throw new RpcError(Code.NotFound, `no message "${name}" in the descriptors of the bus`);
  }

  async #descriptorsOf(name: string): Promise<FileRegistry> {
    const versions = await this.#bus.runtime.registry.getService(name);
    const bytes = versions.find((v) => v.fileDescriptors)?.fileDescriptors;
    if (bytes) return parseDescriptorSet(bytes, name);
    // The registry answer had no room for them: ask an instance directly.
    const reply = await this.#bus.nc
      .request(descriptorSubject(this.#bus.namespace, name), undefined, {
        timeout: this.#timeoutMs,
      })
      .catch((error: unknown) => {
        throw new RpcError(Code.Unavailable, `no instance of ${name} answers with descriptors`, {
          cause: error,
        });
      });
    if (reply.data.length === 0) {
      throw new RpcError(Code.ResourceExhausted, `descriptors of ${name} exceed max_payload`);
    }
    return parseDescriptorSet(reply.data, name);
  }
}
