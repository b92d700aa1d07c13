import {
  create,
  type DescFile,
  type DescService,
  getOption,
  hasOption,
  toBinary,
} from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { service as serviceOption } from "../../generated/protonats/v1/options_pb.js";
import type { ServiceInfo, ServiceNode } from "../registry/registry.js";
import type { ServiceOptions } from "./service-options.js";

/** The version a service announces: explicit option, else the proto option, else 0.0.0. */
export function serviceVersion(service: DescService, options: ServiceOptions): string {
  if (options.version) return options.version;
  const fromProto = hasOption(service, serviceOption)
    ? getOption(service, serviceOption).version
    : "";
  return fromProto || "0.0.0";
}

/** `(protonats.v1.service).subject_prefix`, or "". */
export function subjectPrefix(service: DescService): string {
  return hasOption(service, serviceOption) ? getOption(service, serviceOption).subjectPrefix : "";
}

/** The registry record of one service on one node. */
export function serviceInfo(
  service: DescService,
  options: ServiceOptions,
  node: ServiceNode,
): ServiceInfo {
  return {
    name: service.typeName,
    version: serviceVersion(service, options),
    metadata: options.metadata ?? {},
    endpoints: service.methods.map((m) => ({
      name: m.name,
      kind: m.methodKind,
      requestType: m.input.typeName,
      responseType: m.output.typeName,
      metadata: {},
    })),
    nodes: [node],
    fileDescriptors: fileDescriptorSet(service.file),
  };
}

/**
 * The serialized `FileDescriptorSet` of a file and everything it imports,
 * dependencies first, so that tools can decode the service's messages.
 */
export function fileDescriptorSet(file: DescFile): Uint8Array {
  const ordered: DescFile[] = [];
  const seen = new Set<string>();
  const visit = (f: DescFile): void => {
    if (seen.has(f.name)) return;
    seen.add(f.name);
    for (const dep of f.dependencies) visit(dep);
    ordered.push(f);
  };
  visit(file);
  return toBinary(
    FileDescriptorSetSchema,
    create(FileDescriptorSetSchema, { file: ordered.map((f) => f.proto) }),
  );
}
