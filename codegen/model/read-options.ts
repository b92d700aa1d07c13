import {
  type DescMessage,
  type DescMethod,
  type DescService,
  getOption,
  hasOption,
} from "@bufbuild/protobuf";
import {
  type EventOptions,
  event,
  type MethodOptions,
  method,
  type ServiceOptions,
  service,
} from "../../generated/protonats/v1/options_pb.js";

// The extensions come from protoc-gen-es output for proto/protonats/v1/options.proto,
// the same ones the runtime reads at run time: generator and runtime cannot disagree.

/** The `(protonats.v1.event)` option of a message, if it has one. */
export function readEventOptions(message: DescMessage): EventOptions | undefined {
  return hasOption(message, event) ? getOption(message, event) : undefined;
}

/** The `(protonats.v1.method)` option of a method, if it has one. */
export function readMethodOptions(rpc: DescMethod): MethodOptions | undefined {
  return hasOption(rpc, method) ? getOption(rpc, method) : undefined;
}

/** The `(protonats.v1.service)` option of a service, if it has one. */
export function readServiceOptions(svc: DescService): ServiceOptions | undefined {
  return hasOption(svc, service) ? getOption(svc, service) : undefined;
}
