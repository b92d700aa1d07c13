import type { ServiceInfo } from "../registry/registry.js";
import type { Acceptor, Listener } from "../transport/transport.js";
import type { ServiceRegistration } from "./define-service.js";
import type { ServerObserver } from "./observer.js";
import type { ServeOptions } from "./service-options.js";

/** A node `serve()` has started listening for, before it is announced. */
export interface ServedNode {
  readonly id: string;
  readonly services: readonly ServiceRegistration[];
  /** One record per service, as it is about to be registered. */
  readonly infos: readonly ServiceInfo[];
  readonly listener: Listener;
  /** Takes the node's calls: an extension that listens somewhere else hands them here. */
  readonly acceptor: Acceptor;
  readonly options: ServeOptions;
}

/** What an extension started for one node. */
export interface StartedExtension {
  /** Sees every finished call of the node (e.g. to count `$SRV` STATS). */
  readonly observer?: ServerObserver;
  /**
   * Called first when the server stops, before it waits for calls in
   * progress: stops taking calls on subjects other instances also serve
   * (e.g. NATS micro endpoints), so that those go elsewhere meanwhile.
   */
  stopTakingCalls?(): Promise<void>;
  /** Undoes the start when the server stops. */
  stop(): Promise<void> | void;
}

/**
 * Something a runtime starts beside every served node, such as the NATS
 * adapter's `$SRV` responders. `start` rejecting fails `serve()` before
 * anything is announced.
 */
export interface ServerExtension {
  start(node: ServedNode): Promise<StartedExtension>;
}
