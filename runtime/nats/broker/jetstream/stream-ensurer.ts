import { StorageType, type StreamInfo } from "@nats-io/jetstream";
import type { BrokerLogger } from "../../../broker/report.js";
import { resolveStreamLimits, type StreamLimits } from "../../../broker/stream-limits.js";
import { subjectCovers } from "../../../broker/subjects.js";
import { Code } from "../../../errors/code.js";
import { RpcError } from "../../../errors/rpc-error.js";
import { ApiCode, apiCode, natsFailure } from "../nats-failure.js";
import type { JetStreamAccess } from "./jetstream-access.js";
import { limitsConfig, limitsMismatch } from "./stream-limits-config.js";

/**
 * Makes sure a stream exists and stores a subject: creates it when missing,
 * adds the subject when the stream exists without it. Each (stream, subject)
 * pair is checked once per broker, so a durable publish costs no extra round
 * trip after the first; {@link forget} drops the memo when the stream turns
 * out to be gone.
 *
 * A stream it creates gets limits (`StreamLimits`: max age and bytes, with
 * defaults), so that it does not keep every event forever. An existing
 * stream whose limits differ is left as it is and reported once through the
 * logger: its owner may have chosen them, and shrinking them would delete
 * stored events.
 *
 * Only 2.9-compatible configuration is used (a plain subjects list, no
 * metadata), so this works on the JetStream of nats-server 2.9 and newer.
 */
export class StreamEnsurer {
  readonly #done = new Map<string, Promise<void>>();
  /** Keys of `#done` whose promise has resolved: a publish need not wait for them. */
  readonly #settled = new Set<string>();
  /** Streams whose differing limits were already reported. */
  readonly #warned = new Set<string>();

  constructor(
    private readonly access: JetStreamAccess,
    private readonly logger: BrokerLogger = console,
  ) {}

  /**
   * Ensures `stream` stores `subject` (a subject or pattern, already
   * namespaced), creating it with `limits` when missing.
   */
  ensure(stream: string, subject: string, limits?: StreamLimits): Promise<void> {
    const key = `${stream} ${subject}`;
    let pending = this.#done.get(key);
    if (pending === undefined) {
      const resolved = resolveStreamLimits(limits);
      pending = this.#ensure(stream, subject, resolved).then(
        () => {
          // Unless forgotten meanwhile.
          if (this.#done.get(key) === pending) this.#settled.add(key);
        },
        (error: unknown) => {
          this.#done.delete(key);
          throw error;
        },
      );
      this.#done.set(key, pending);
    }
    return pending;
  }

  /** Whether `ensure(stream, subject)` has already succeeded (and was not forgotten since). */
  ensured(stream: string, subject: string): boolean {
    return this.#settled.has(`${stream} ${subject}`);
  }

  /**
   * Ensures some stream stores `subject`: the one that already does, else
   * `fallback` (created or extended to `fallbackSubject`, which must cover
   * `subject`). For dead-letter subjects, which users may point at a stream of
   * their own.
   */
  async ensureStored(subject: string, fallback: string, fallbackSubject = subject): Promise<void> {
    const jsm = await this.access.manager();
    try {
      await jsm.streams.find(subject);
      return;
    } catch {
      // No stream stores it yet.
    }
    await this.ensure(fallback, fallbackSubject);
  }

  /** Forgets what was ensured for `stream` (it was deleted or changed behind our back). */
  forget(stream: string): void {
    for (const key of this.#done.keys()) {
      if (key.startsWith(`${stream} `)) this.#done.delete(key);
    }
    for (const key of this.#settled) {
      if (key.startsWith(`${stream} `)) this.#settled.delete(key);
    }
  }

  async #ensure(stream: string, subject: string, limits: Required<StreamLimits>): Promise<void> {
    const jsm = await this.access.manager();
    for (let attempt = 0; attempt < 3; attempt++) {
      let info: StreamInfo | undefined;
      try {
        info = await jsm.streams.info(stream);
      } catch (error) {
        if (apiCode(error) !== ApiCode.StreamNotFound) {
          throw natsFailure(error, `cannot read stream ${stream}`);
        }
      }
      try {
        if (info === undefined) {
          await jsm.streams.add({
            name: stream,
            subjects: [subject],
            storage: StorageType.File,
            ...limitsConfig(limits),
          });
          return;
        }
        this.#checkLimits(stream, info, limits);
        const subjects = info.config.subjects ?? [];
        if (subjects.some((s) => subjectCovers(s, subject))) return;
        await jsm.streams.update(stream, { subjects: [...subjects, subject] });
        return;
      } catch (error) {
        // Another process created or changed the stream at the same moment: look again.
        if (apiCode(error) === ApiCode.StreamNameInUse) continue;
        if (apiCode(error) === ApiCode.SubjectsOverlap) {
          throw new RpcError(
            Code.FailedPrecondition,
            `stream ${stream} cannot store ${subject}: another stream already stores subjects overlapping it`,
            { cause: error },
          );
        }
        throw natsFailure(
          error,
          info === undefined
            ? `cannot create stream ${stream} for ${subject}`
            : `stream ${stream} does not store ${subject} and cannot be extended to`,
        );
      }
    }
    throw new RpcError(Code.Aborted, `stream ${stream} kept changing while ensuring ${subject}`);
  }

  #checkLimits(stream: string, info: StreamInfo, limits: Required<StreamLimits>): void {
    if (this.#warned.has(stream)) return;
    const mismatch = limitsMismatch(info.config, limits);
    if (mismatch === undefined) return;
    this.#warned.add(stream);
    const warn = this.logger.warn?.bind(this.logger) ?? console.warn;
    warn(
      `protonats: JetStream stream ${stream} exists with other limits than asked for (${mismatch}); ` +
        "it is left unchanged: change it with `nats stream edit` or the event's stream limits",
    );
  }
}
