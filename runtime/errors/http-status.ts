import { Code } from "./code.js";

/**
 * The HTTP-like status NATS micro tooling expects in `Nats-Service-Error-Code`,
 * mapped the way Connect maps codes to HTTP statuses.
 */
const httpStatus: Record<Code, number> = {
  [Code.Canceled]: 499,
  [Code.Unknown]: 500,
  [Code.InvalidArgument]: 400,
  [Code.DeadlineExceeded]: 504,
  [Code.NotFound]: 404,
  [Code.AlreadyExists]: 409,
  [Code.PermissionDenied]: 403,
  [Code.ResourceExhausted]: 429,
  [Code.FailedPrecondition]: 400,
  [Code.Aborted]: 409,
  [Code.OutOfRange]: 400,
  [Code.Unimplemented]: 501,
  [Code.Internal]: 500,
  [Code.Unavailable]: 503,
  [Code.DataLoss]: 500,
  [Code.Unauthenticated]: 401,
};

/** `Nats-Service-Error-Code` for a code. */
export function httpStatusOf(code: Code): number {
  return httpStatus[code] ?? 500;
}
