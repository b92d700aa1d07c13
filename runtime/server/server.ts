import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import { asyncDispose } from "../lifecycle/async-dispose.js";
import type { ServiceInfo } from "../registry/registry.js";
import type { Runtime } from "../runtime.js";
import type { Listener } from "../transport/transport.js";
import type { CallDispatcher } from "./call-dispatcher.js";
import type { StartedExtension } from "./server-extension.js";
import type { StopOptions } from "./service-options.js";

/** A running server, returned by `serve`. */
export interface Server {
  /** Node id of this instance (also its `$SRV` id). */
  readonly id: string;
  /** Node address of the instance (on NATS each service has its own: `addressOf`). */
  readonly address: string;
  /** The address clients reach `service` on, e.g. `pn.svc.<package.Service>.<id>` on NATS. */
  addressOf(service: string): string;
  /**
   * Stops gracefully: deregisters, stops taking new calls (they get
   * `Unavailable`), lets calls in progress finish for up to `graceMs`, then
   * aborts the rest (answered `Unavailable`) and stops listening.
   */
  stop(options?: StopOptions): Promise<void>;
  /** `await using server = await serve(...)`: `stop()` with the default grace. */
  [Symbol.asyncDispose](): Promise<void>;
}

const defaultGraceMs = 10_000;

/** The parts of a node `serve()` has started, handed over whole. */
export interface ServerParts {
  readonly id: string;
  readonly runtime: Runtime;
  readonly dispatcher: CallDispatcher;
  readonly listener: Listener;
  /** One record per service, registered by `serve` and deregistered on stop. */
  readonly infos: readonly ServiceInfo[];
  /** What the runtime's server extensions started, stopped after the listener. */
  readonly extensions: readonly StartedExtension[];
}

/** A served node: its address, its records and its orderly stop. */
export class RpcServer implements Server {
  readonly id: string;
  private readonly parts: ServerParts;
  private stopped: Promise<void> | undefined;

  constructor(parts: ServerParts) {
    this.id = parts.id;
    this.parts = parts;
  }

  get address(): string {
    return this.parts.listener.address;
  }

  addressOf(service: string): string {
    return this.parts.listener.addressOf(service);
  }

  stop(options: StopOptions = {}): Promise<void> {
    this.stopped ??= this.shutdown(options.graceMs ?? defaultGraceMs);
    return this.stopped;
  }

  [asyncDispose](): Promise<void> {
    return this.stop();
  }

  private async shutdown(graceMs: number): Promise<void> {
    const { runtime, dispatcher, listener, infos, extensions } = this.parts;
    // Out of discovery first, so clients stop picking this node.
    await Promise.all(
      infos.map((info) => runtime.registry.deregister(info).catch(() => undefined)),
    );
    // Calls on subjects other instances share (NATS micro endpoints) go elsewhere from now on.
    await Promise.all(extensions.map((e) => e.stopTakingCalls?.().catch(() => undefined)));
    dispatcher.stopAccepting();
    await dispatcher.drain(graceMs);
    dispatcher.abortAll(new RpcError(Code.Unavailable, "server stopped before the call finished"));
    await listener.close();
    await stopAll(extensions);
  }
}

/** Stops what extensions started; one failing does not keep the others running. */
export async function stopAll(extensions: readonly StartedExtension[]): Promise<void> {
  for (const started of extensions) {
    try {
      await started.stop();
    } catch {
      // Stopping the rest matters more than this one's failure.
    }
  }
}
