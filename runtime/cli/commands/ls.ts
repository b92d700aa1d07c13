import { MicroMetadataKey } from "../../nats/micro/micro-naming.js";
import type { CommandContext } from "../context.js";
import { gatherMicro, records, stringRecord, text } from "../micro-gather.js";
import { table } from "../output.js";
import { printRows } from "../print-rows.js";

/** One line of `ls`: a protonats service version, or a plain ADR-32 service. */
interface Listed {
  name: string;
  version: string;
  kind: "protonats" | "$SRV";
  instances: number;
  endpoints: { name: string; kind: string }[];
}

/**
 * `protonats ls`: the registry's services (one line per version) and the
 * `$SRV` services that are not protonats ones.
 */
export async function ls(ctx: CommandContext): Promise<void> {
  const bus = await ctx.bus();
  const [services, micro] = await ctx.progress("asking the registry and $SRV", () =>
    Promise.all([
      bus.runtime.registry.listServices(),
      gatherMicro(bus.nc, "INFO", undefined, ctx.options.timeout),
    ]),
  );
  const listed: Listed[] = services.map((s) => ({
    name: s.name,
    version: s.version,
    kind: "protonats",
    instances: s.nodes.length,
    endpoints: s.endpoints.map((e) => ({ name: e.name, kind: e.kind })),
  }));
  const plain = new Map<string, Listed>();
  for (const { body } of micro) {
    // protonats services answer $SRV too (in every namespace): listed above or elsewhere.
    if (stringRecord(body.metadata)[MicroMetadataKey.service]) continue;
    const name = text(body.name);
    const version = text(body.version);
    if (!name) continue;
    const key = `${name}@${version}`;
    const entry = plain.get(key) ?? {
      name,
      version,
      kind: "$SRV" as const,
      instances: 0,
      endpoints: records(body.endpoints).map((e) => ({ name: text(e.name), kind: "request" })),
    };
    entry.instances++;
    plain.set(key, entry);
  }
  const all = [...listed, ...plain.values()].sort(
    (a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version),
  );
  const { c } = ctx;
  const short: Record<string, string> = {
    unary: "",
    server_streaming: " (server stream)",
    client_streaming: " (client stream)",
    bidi_streaming: " (bidi)",
    request: "",
  };
  printRows(ctx, all, "no services", (all) =>
    table(
      c,
      ["SERVICE", "VERSION", "KIND", "INSTANCES", "ENDPOINTS"],
      all.map((s) => [
        c.bold(s.name),
        s.version,
        s.kind === "$SRV" ? c.yellow("$SRV") : c.cyan("protonats"),
        String(s.instances),
        s.endpoints.map((e) => `${e.name}${c.dim(short[e.kind] ?? "")}`).join(", "),
      ]),
    ),
  );
}
