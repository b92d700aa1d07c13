/**
 * NATS micro (ADR-32) names allow only `[A-Za-z0-9_-]`. Protobuf identifiers
 * never contain `-`, so replacing the dots of a fully qualified service name
 * with `-` is reversible: `example.greeter.v1.Greeter` ↔
 * `example-greeter-v1-Greeter`. The full name also travels in the metadata
 * under {@link MicroMetadataKey.service}.
 */
export function microServiceName(fullName: string): string {
  return fullName.replace(/[^A-Za-z0-9_-]/g, "-");
}

/** Metadata keys protonats adds to what `$SRV.INFO` and friends report. */
export const MicroMetadataKey = {
  /** Fully qualified protobuf service name. */
  service: "pn.service",
  /** The service's own version when it is not semver (micro requires semver). */
  version: "pn.version",
} as const;

// Semantic Versioning 2.0.0, as ADR-32 requires for `version`.
const semver =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export function isSemver(version: string): boolean {
  return semver.test(version);
}

/** The version to report: the service's own when it is semver, else `0.0.0`. */
export function microVersion(version: string): string {
  return isSemver(version) ? version : "0.0.0";
}
