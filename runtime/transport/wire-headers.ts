/**
 * Names of the NATS headers protonats reserves. Everything a frame needs
 * besides its body travels in these; all other headers are user metadata.
 * User headers must not start with {@link reservedPrefix}.
 */
export const reservedPrefix = "Pn-";

export const Header = {
  /** Method path `/package.Service/Method` of a call or stream. */
  method: "Pn-Method",
  /** Remaining deadline budget in milliseconds, decimal. */
  timeout: "Pn-Timeout",
  /** Frame type of a stream frame; absent on a unary request and reply. */
  frame: "Pn-Frame",
  /** Initial credit the opener grants its peer. */
  window: "Pn-Window",
  /** Heartbeat interval in milliseconds the opener asks both sides to use. */
  heartbeat: "Pn-Heartbeat",
  /** Further messages the sender of a credit frame accepts. */
  credit: "Pn-Credit",
  /**
   * Stream frames: the sender's number of this `msg`/`credit`/`end` frame
   * (1, 2, ... per direction), or on a `ping` the number of the last one sent.
   */
  seq: "Pn-Seq",
  /** Numeric status code of a failure (gRPC numbering); absent on success. */
  status: "Pn-Status",
  /** URL-encoded error message. */
  message: "Pn-Message",
  /** Body encoding; only `application/proto` is spoken (and implied when absent). */
  contentType: "Pn-Content-Type",
  /** Prefix of trailers, e.g. `Pn-T-Cost` for trailer `Cost`. */
  trailerPrefix: "Pn-T-",
  /** NATS micro error headers, set on every error reply for `nats req` users. */
  serviceError: "Nats-Service-Error",
  serviceErrorCode: "Nats-Service-Error-Code",
} as const;

export const contentTypeProto = "application/proto";

/** `Pn-Frame` values. */
export const FrameName = {
  open: "open",
  message: "msg",
  end: "end",
  cancel: "cancel",
  credit: "credit",
  ping: "ping",
} as const;
