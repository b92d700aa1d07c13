import { microServiceName } from "../../micro/micro-naming.js";

/** A protonats service name (`example.greeter.v1.Greeter`) as its `$SRV` name; others as given. */
export function microTarget(service: string | undefined): string | undefined {
  return service === undefined ? undefined : microServiceName(service);
}
