import type { DescService } from "@bufbuild/protobuf";
import type { ServiceHandlers } from "../service-types.js";
import type { ServiceOptions } from "./service-options.js";

/** A service implementation ready to be served; made by {@link defineService}. */
export interface ServiceRegistration {
  readonly service: DescService;
  /** Handlers by `methodKey` of each method. */
  readonly handlers: Readonly<Record<string, unknown>>;
  readonly options: ServiceOptions;
}

/**
 * Pairs a service descriptor with its handlers, for `serve`. Generated
 * `register<Service>()` helpers call this.
 */
export function defineService<S extends DescService>(
  service: S,
  handlers: ServiceHandlers<S>,
  options: ServiceOptions = {},
): ServiceRegistration {
  return { service, handlers: handlers as Record<string, unknown>, options };
}
