/** JSON bodies of the NATS micro protocol (ADR-32), as `nats micro` reads them. */

export const MicroResponseType = {
  ping: "io.nats.micro.v1.ping_response",
  info: "io.nats.micro.v1.info_response",
  stats: "io.nats.micro.v1.stats_response",
} as const;

export interface MicroIdentity {
  name: string;
  id: string;
  version: string;
  metadata: Record<string, string>;
}

export interface MicroPingResponse extends MicroIdentity {
  type: typeof MicroResponseType.ping;
}

export interface MicroEndpointInfo {
  name: string;
  subject: string;
  queue_group: string;
  metadata: Record<string, string>;
}

export interface MicroInfoResponse extends MicroIdentity {
  type: typeof MicroResponseType.info;
  description: string;
  endpoints: MicroEndpointInfo[];
}

export interface MicroEndpointStats {
  name: string;
  subject: string;
  queue_group: string;
  num_requests: number;
  num_errors: number;
  /** `"<status>:<message>"` of the last failed call, `""` when none failed. */
  last_error: string;
  /** Total time spent in the handler, in nanoseconds. */
  processing_time: number;
  /** `processing_time / num_requests`, in whole nanoseconds. */
  average_processing_time: number;
}

export interface MicroStatsResponse extends MicroIdentity {
  type: typeof MicroResponseType.stats;
  /** When the responder started, RFC 3339. */
  started: string;
  endpoints: MicroEndpointStats[];
}
