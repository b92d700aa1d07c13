import { microServiceName } from "../../nats/micro/micro-naming.js";
import type { CommandContext } from "../context.js";

/**
 * The `$SRV` name for a service argument: a protonats service (full or short
 * name, as known to the registry) by its micro name, any other name as given.
 */
export async function microTarget(
  ctx: CommandContext,
  service: string | undefined,
): Promise<string | undefined> {
  if (service === undefined) return undefined;
  const schemas = await ctx.schemas();
  const full = await schemas.serviceName(service).catch(() => service);
  return microServiceName(full);
}
