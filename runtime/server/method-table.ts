import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { methodPath } from "../client/method-config.js";
import { type AnyFn, applyInterceptors, type Interceptor } from "../interceptor.js";
import { methodKey } from "../naming.js";
import type { ServiceRegistration } from "./define-service.js";

/** Calls in progress of one service, against its concurrency limit. */
export class ServiceLoad {
  inflight = 0;
  constructor(readonly limit: number) {}
}

/** Everything the server needs to run one method, resolved once at start. */
export interface MethodEntry {
  readonly service: DescService;
  readonly method: DescMethod;
  readonly path: string;
  /** The user's handler (plain function of the kind's shape). */
  readonly handler: (...args: never[]) => unknown;
  /** Server and service interceptors; undefined when there are none (fast path). */
  readonly interceptors: readonly Interceptor[] | undefined;
  readonly load: ServiceLoad;
}

/** Builds the method table by path `/package.Service/Method`; throws on a missing handler. */
export function methodTable(
  registrations: readonly ServiceRegistration[],
  serverInterceptors: readonly Interceptor[],
): Map<string, MethodEntry> {
  const table = new Map<string, MethodEntry>();
  for (const reg of registrations) {
    const load = new ServiceLoad(reg.options.maxConcurrentCalls ?? Infinity);
    const interceptors = [...serverInterceptors, ...(reg.options.interceptors ?? [])];
    for (const method of reg.service.methods) {
      const handler = reg.handlers[methodKey(method)];
      if (typeof handler !== "function") {
        throw new TypeError(`no handler for ${reg.service.typeName}.${method.name}`);
      }
      const path = methodPath(method);
      if (table.has(path)) throw new TypeError(`service ${reg.service.typeName} is served twice`);
      table.set(path, {
        service: reg.service,
        method,
        path,
        handler: handler as MethodEntry["handler"],
        interceptors: interceptors.length > 0 ? interceptors : undefined,
        load,
      });
    }
  }
  return table;
}

/** The interceptor chain around `last`, for entries that have interceptors. */
export function chainFor(entry: MethodEntry, last: AnyFn): AnyFn {
  return entry.interceptors ? applyInterceptors(entry.interceptors, last) : last;
}
