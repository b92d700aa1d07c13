/**
 * Headers of a dead-lettered message, next to the original message's own
 * headers and body, so that an operator (or a repair job) can tell where it
 * came from and why it failed, and replay it.
 */
export const DeadLetterHeader = {
  /** NATS subject the message was published on (with the namespace). */
  Subject: "Pn-Dlq-Subject",
  /** Stream that stored it. */
  Stream: "Pn-Dlq-Stream",
  /** Its sequence number in that stream. */
  Sequence: "Pn-Dlq-Sequence",
  /** Consumer that gave up on it. */
  Consumer: "Pn-Dlq-Consumer",
  /** How many times it was delivered. */
  Deliveries: "Pn-Dlq-Deliveries",
  /** Numeric `Code` of the last failure. */
  Code: "Pn-Dlq-Code",
  /** Message of the last failure, URL-encoded. */
  Error: "Pn-Dlq-Error",
} as const;
