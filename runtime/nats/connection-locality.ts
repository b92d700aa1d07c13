import type { NatsConnection } from "@nats-io/nats-core";
import type { NodeLocality } from "../locality/locality.js";

/**
 * The locality of a NATS connection, read from the INFO of the server it is
 * connected to (`cluster`, `server_name`; nats-server 2.2+). After a
 * reconnection to another server (or another cluster of a supercluster) the
 * client holds a new INFO object, so the answer follows it; while the INFO is
 * the same the same object is returned, so callers can cache by identity.
 */
export class ConnectionLocality {
  private info: unknown;
  private current: NodeLocality | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly zone: string | undefined,
  ) {}

  get(): NodeLocality | undefined {
    const info = this.nc.info;
    if (info !== this.info) {
      this.info = info;
      const locality: NodeLocality = {};
      if (info?.cluster) locality.cluster = info.cluster;
      if (info?.server_name) locality.server = info.server_name;
      if (this.zone !== undefined) locality.zone = this.zone;
      this.current = Object.keys(locality).length > 0 ? locality : undefined;
    }
    return this.current;
  }
}
