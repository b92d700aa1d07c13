import type { CallRecord, ServerObserver } from "../server/observer.js";

/**
 * An observer from a plain function, e.g. to log slow calls:
 * `observeCalls((r) => r.durationNs > 1e8 && log.warn(r))`. Errors it throws
 * are swallowed by the server, as for every observer.
 */
export function observeCalls(onCall: (record: CallRecord) => void): ServerObserver {
  return { callFinished: onCall };
}

/** An observer that only passes failed calls on (`record.code` set). */
export function observeErrors(onError: (record: CallRecord) => void): ServerObserver {
  return {
    callFinished(record) {
      if (record.code !== undefined) onError(record);
    },
  };
}
