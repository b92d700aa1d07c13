import type { Code } from "../../errors/code.js";
import { httpStatusOf } from "../../errors/http-status.js";
import type { MicroEndpointStats } from "./micro-responses.js";

interface Counters {
  numRequests: number;
  numErrors: number;
  lastError: string;
  processingNs: number;
}

/** Per-endpoint counters of one service, as `$SRV.STATS` reports them. */
export class EndpointStats {
  private readonly counters = new Map<string, Counters>();

  constructor(endpointNames: Iterable<string>) {
    for (const name of endpointNames) {
      this.counters.set(name, { numRequests: 0, numErrors: 0, lastError: "", processingNs: 0 });
    }
  }

  /** Counts one finished call; calls of methods that are not endpoints are ignored. */
  record(
    method: string,
    durationNs: number,
    code: Code | undefined,
    message: string | undefined,
  ): void {
    const c = this.counters.get(method);
    if (!c) return;
    c.numRequests++;
    // Durations are measured with sub-nanosecond noise; the protocol wants integers.
    c.processingNs += Math.max(0, Math.round(durationNs));
    if (code !== undefined) {
      c.numErrors++;
      // Same shape as the Nats-Service-Error-Code / Nats-Service-Error headers of the reply.
      c.lastError = `${httpStatusOf(code)}:${message ?? ""}`;
    }
  }

  /** The counters of `endpoint` in the protocol's JSON shape (zeroes when unknown). */
  snapshot(endpoint: { name: string; subject: string; queue_group: string }): MicroEndpointStats {
    const c = this.counters.get(endpoint.name);
    const numRequests = c?.numRequests ?? 0;
    const processing = c?.processingNs ?? 0;
    return {
      name: endpoint.name,
      subject: endpoint.subject,
      queue_group: endpoint.queue_group,
      num_requests: numRequests,
      num_errors: c?.numErrors ?? 0,
      last_error: c?.lastError ?? "",
      processing_time: processing,
      average_processing_time: numRequests === 0 ? 0 : Math.floor(processing / numRequests),
    };
  }
}
