/** Registry timings small enough that a dead node leaves discovery within about a second. */
export const fastRegistry = { heartbeatIntervalMs: 200, ttlMs: 1_000, sweepIntervalMs: 100 };
