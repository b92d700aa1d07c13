import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.js";
import { type NatsServerProcess, type StartOptions, startNatsServer } from "./nats-server.js";

/*
 * Multi-cluster NATS topologies on loopback: superclusters (clusters joined
 * by gateways) and leaf nodes. Gateways and leaf nodes have no command-line
 * flags in nats-server 2.9, so every server gets a small config file; the
 * client and monitoring ports still come from the command line.
 */

/** One server of a topology, with the config it was started from. */
export interface TopologyServer extends NatsServerProcess {
  readonly name: string;
  /** Cluster (= gateway) name; undefined for a standalone leaf server. */
  readonly cluster: string | undefined;
  /** The config file's text, for documentation and debugging. */
  readonly config: string;
}

export interface Supercluster {
  /** Servers by cluster name, in order. */
  readonly clusters: Record<string, TopologyServer[]>;
  readonly servers: TopologyServer[];
  /** Client URLs of one cluster's servers. */
  urls(cluster: string): string[];
  stop(): Promise<void>;
}

export interface SuperclusterOptions extends StartOptions {
  /**
   * Called with each server's gateway port; returns the port other clusters
   * dial instead (e.g. a proxy that adds WAN latency). Default: the port.
   */
  gatewayPath?: (cluster: string, port: number) => Promise<number> | number;
}

export interface ClusterSpec {
  name: string;
  /** Servers in the cluster. Default 1. */
  size?: number;
}

const configDirs: string[] = [];
process.once("exit", () => {
  for (const dir of configDirs) rmSync(dir, { recursive: true, force: true });
});

function configFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "protonats-conf-"));
  configDirs.push(dir);
  const path = join(dir, `${name}.conf`);
  writeFileSync(path, text);
  return path;
}

const list = (urls: string[]) => `[${urls.map((u) => JSON.stringify(u)).join(", ")}]`;

/**
 * Starts clusters joined by gateways (a supercluster) and waits until every
 * server has an outbound gateway to every other cluster and its routes.
 */
export async function startSupercluster(
  specs: ClusterSpec[],
  options: SuperclusterOptions = {},
): Promise<Supercluster> {
  // A port found free may be taken by a parallel test before the server binds
  // it: then that server exits at once, and the whole topology starts again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startSuperclusterOnce(specs, options);
    } catch (error) {
      if (attempt === 3 || !String(error).includes("exited")) throw error;
    }
  }
}

async function startSuperclusterOnce(
  specs: ClusterSpec[],
  options: SuperclusterOptions,
): Promise<Supercluster> {
  const plan = await Promise.all(
    specs.map(async (spec) => {
      const size = spec.size ?? 1;
      const ports = async () => Promise.all(Array.from({ length: size }, () => freePort()));
      const gatewayPorts = await ports();
      // The port other clusters dial (and are told about): a proxy's, if any.
      const dialPorts = await Promise.all(
        gatewayPorts.map((port) => options.gatewayPath?.(spec.name, port) ?? port),
      );
      return { spec, size, routePorts: await ports(), gatewayPorts, dialPorts };
    }),
  );
  const gateways = plan.map(
    (p) =>
      `    { name: ${JSON.stringify(p.spec.name)}, urls: ${list(
        p.dialPorts.map((g) => `nats://127.0.0.1:${g}`),
      )} }`,
  );
  const starts: Promise<TopologyServer>[] = [];
  for (const p of plan) {
    for (let i = 0; i < p.size; i++) {
      const name = `${p.spec.name}${i + 1}`;
      const routes = p.routePorts.map((r) => `nats-route://127.0.0.1:${r}`);
      const config = [
        `server_name: ${JSON.stringify(name)}`,
        "cluster {",
        `  name: ${JSON.stringify(p.spec.name)}`,
        `  listen: "127.0.0.1:${p.routePorts[i]}"`,
        `  routes: ${list(routes)}`,
        "}",
        "gateway {",
        `  name: ${JSON.stringify(p.spec.name)}`,
        `  listen: "127.0.0.1:${p.gatewayPorts[i]}"`,
        `  advertise: "127.0.0.1:${p.dialPorts[i]}"`,
        "  gateways: [",
        gateways.join(",\n"),
        "  ]",
        "}",
        "",
      ].join("\n");
      starts.push(startConfigured(name, p.spec.name, config, options));
    }
  }
  const started = await Promise.allSettled(starts);
  const servers = started.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const failed = started.find((r) => r.status === "rejected");
  if (failed) {
    await Promise.all(servers.map((s) => s.stop()));
    throw failed.reason;
  }
  const clusters: Record<string, TopologyServer[]> = {};
  for (const s of servers) {
    const members = clusters[s.cluster as string] ?? [];
    members.push(s);
    clusters[s.cluster as string] = members;
  }
  const topology: Supercluster = {
    clusters,
    servers,
    urls: (cluster) => (clusters[cluster] ?? []).map((s) => s.url),
    stop: async () => {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
  await waitForGateways(topology);
  return topology;
}

/** A server of a topology started with a port for leaf connections. */
export interface LeafHub extends TopologyServer {
  readonly leafPort: number;
}

async function startConfigured(
  name: string,
  cluster: string | undefined,
  config: string,
  options: StartOptions,
  leafPort?: number,
): Promise<TopologyServer & { leafPort?: number }> {
  const path = configFile(name, config);
  const server = await startNatsServer({ ...options, args: ["-c", path, ...(options.args ?? [])] });
  return Object.assign(server, {
    name,
    cluster,
    config,
    ...(leafPort !== undefined && { leafPort }),
  }) as TopologyServer & { leafPort?: number };
}

/** Starts a standalone hub server that accepts leaf node connections. */
export async function startLeafHub(name = "hub", options: StartOptions = {}): Promise<LeafHub> {
  const leafPort = await freePort();
  const config = [
    `server_name: ${JSON.stringify(name)}`,
    `leafnodes { listen: "127.0.0.1:${leafPort}" }`,
    "",
  ].join("\n");
  return (await startConfigured(name, undefined, config, options, leafPort)) as LeafHub;
}

/**
 * Starts a leaf node server connected to `hub` (a server with a leaf port)
 * and waits until the hub sees the leaf connection.
 */
export async function startLeafNode(
  hub: { leafPort?: number; monitorPort: number },
  name = "leaf",
  options: StartOptions = {},
): Promise<TopologyServer> {
  if (hub.leafPort === undefined) throw new Error("the hub has no leafnode port");
  const config = [
    `server_name: ${JSON.stringify(name)}`,
    "leafnodes {",
    `  remotes: [ { url: "nats-leaf://127.0.0.1:${hub.leafPort}" } ]`,
    "}",
    "",
  ].join("\n");
  const leaf = await startConfigured(name, undefined, config, options);
  await waitForLeafnodes(hub, 1);
  return leaf;
}

async function monitor<T>(server: { monitorPort: number }, path: string): Promise<T | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${server.monitorPort}/${path}`);
    return (await res.json()) as T;
  } catch {
    return undefined;
  }
}

/** Polls `check` every 50 ms until it holds; throws `what` after `timeoutMs`. */
export async function waitUntil(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Gatewayz {
  outbound_gateways?: Record<string, unknown>;
}

/**
 * True when `server` has an outbound gateway connection to every cluster in
 * `others` (inbound ones land on any one server of a cluster, not on each).
 */
export async function gatewaysUp(
  server: { monitorPort: number },
  others: string[],
): Promise<boolean> {
  const z = await monitor<Gatewayz>(server, "gatewayz");
  if (!z) return false;
  return others.every((c) => z.outbound_gateways?.[c] !== undefined);
}

/** Waits until every server of the supercluster has gateways to every other cluster, and its routes. */
export async function waitForGateways(topology: Supercluster): Promise<void> {
  const names = Object.keys(topology.clusters);
  for (const server of topology.servers) {
    const others = names.filter((n) => n !== server.cluster);
    await waitUntil(() => gatewaysUp(server, others), `gateways of ${server.name}`);
  }
  const sizes = Object.values(topology.clusters);
  for (const members of sizes) {
    for (const server of members) {
      await waitUntil(
        async () =>
          ((await monitor<{ num_routes?: number }>(server, "routez"))?.num_routes ?? 0) >=
          members.length - 1,
        `routes of ${server.name}`,
      );
    }
  }
}

/** Waits until `hub` has at least `count` leaf node connections. */
export async function waitForLeafnodes(hub: { monitorPort: number }, count: number): Promise<void> {
  await waitUntil(
    async () => ((await monitor<{ leafnodes?: number }>(hub, "leafz"))?.leafnodes ?? 0) >= count,
    "leaf node connection",
  );
}
