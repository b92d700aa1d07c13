import { JetStreamApiError } from "@nats-io/jetstream";
import { errors as natsErrors } from "@nats-io/nats-core";
import { Code } from "../../errors/code.js";
import { RpcError } from "../../errors/rpc-error.js";

/** JetStream API error codes protonats reacts to. */
export const ApiCode = {
  StreamNotFound: 10059,
  ConsumerNotFound: 10014,
  StreamNameInUse: 10058,
  SubjectsOverlap: 10065,
  ConsumerNameExists: 10013,
  ConsumerAlreadyExists: 10148,
  JetStreamNotEnabled: 10039,
  JetStreamNotEnabledForAccount: 10076,
} as const;

/** The JetStream API error code of `error`, if it is one. */
export function apiCode(error: unknown): number | undefined {
  return error instanceof JetStreamApiError ? error.code : undefined;
}

/**
 * Turns a failure of a NATS or JetStream operation into an `RpcError` whose code says
 * what the caller can do: `Unavailable` (retry later: server, JetStream or
 * stream unreachable), `DeadlineExceeded` (no answer in time: the operation
 * may have happened), `FailedPrecondition` (configuration conflict a retry
 * will not fix), `NotFound`, `ResourceExhausted` (above the server's max_payload).
 */
export function natsFailure(error: unknown, what: string): RpcError {
  if (error instanceof RpcError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  const make = (code: Code, message: string) =>
    new RpcError(code, `${what}: ${message}`, { cause: error });
  if (error instanceof natsErrors.TimeoutError) return make(Code.DeadlineExceeded, "timed out");
  if (
    error instanceof natsErrors.ClosedConnectionError ||
    error instanceof natsErrors.DrainingConnectionError ||
    error instanceof natsErrors.ConnectionError
  ) {
    return make(Code.Unavailable, `NATS connection unavailable (${detail})`);
  }
  if (error instanceof Error && error.name === "JetStreamNotEnabled") {
    return make(Code.Unavailable, "JetStream is not enabled, or no stream stores the subject");
  }
  if (error instanceof natsErrors.InvalidArgumentError && /max_payload/.test(detail)) {
    // Too big for this NATS server, like an oversized RPC message: not a malformed event.
    return make(
      Code.ResourceExhausted,
      `${detail}: the event is above the NATS server's max_payload; send less or raise max_payload`,
    );
  }
  if (
    error instanceof natsErrors.InvalidArgumentError ||
    error instanceof natsErrors.InvalidSubjectError
  ) {
    return make(Code.InvalidArgument, detail);
  }
  if (error instanceof natsErrors.PermissionViolationError) {
    return make(Code.PermissionDenied, detail);
  }
  if (error instanceof JetStreamApiError) {
    switch (error.code) {
      case ApiCode.StreamNotFound:
      case ApiCode.ConsumerNotFound:
        return make(Code.NotFound, detail);
      case ApiCode.JetStreamNotEnabled:
      case ApiCode.JetStreamNotEnabledForAccount:
        return make(Code.Unavailable, detail);
      default:
        return error.status === 503
          ? make(Code.Unavailable, detail)
          : make(Code.FailedPrecondition, detail);
    }
  }
  return make(Code.Unavailable, detail);
}
