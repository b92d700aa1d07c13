import type { NatsConnection } from "@nats-io/transport-node";
import type { Figure } from "./report.js";

/** What every scenario gets: the NATS server of the run, and how long to measure. */
export interface BenchContext {
  readonly url: string;
  /** Process id of the nats-server of the run (for its CPU time). */
  readonly natsPid: number | undefined;
  readonly nc: NatsConnection;
  readonly quick: boolean;
  /** Length of one measured round of a closed loop, in ms. */
  readonly roundMs: number;
  readonly rounds: number;
  readonly payloads: { label: string; bytes: Uint8Array }[];
  readonly figures: Figure[];
  find(name: string, payload: string): Figure | undefined;
}
