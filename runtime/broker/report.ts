import type { BrokerMessage } from "./broker.js";

/** Where a broker reports failures nobody else handles. `console` fits. */
export interface BrokerLogger {
  error(message: string, error: unknown): void;
  /**
   * Something to look at that loses nothing (e.g. a stream's limits differ).
   * Default: `console.warn`.
   */
  warn?(message: string): void;
}

/** Reports a handler or decode failure for one message. */
export type ErrorReporter = (error: unknown, message: BrokerMessage) => void;

/**
 * The reporter used when a subscription has no `onError`: failures are logged,
 * never swallowed, because a handler that throws on every event and says
 * nothing is the worst way to lose events.
 */
export function loggingReporter(logger: BrokerLogger): ErrorReporter {
  return (error, message) => {
    logger.error(
      `protonats: event handler failed on ${message.subject} (delivery ${message.deliveryCount})`,
      error,
    );
  };
}

/** Calls a reporter without letting a reporter that throws break delivery. */
export function safeReport(
  report: ErrorReporter,
  logger: BrokerLogger,
  error: unknown,
  message: BrokerMessage,
): void {
  try {
    report(error, message);
  } catch (reportError) {
    logger.error("protonats: onError threw while reporting a failure", reportError);
  }
}
