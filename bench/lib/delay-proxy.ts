import { createServer, type Socket, connect as tcpConnect } from "node:net";

/** A TCP proxy on loopback that delays every chunk by a fixed time in each direction. */
export interface DelayProxy {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Forwards connections on a fresh loopback port to `targetPort`, holding each
 * chunk `delayMs` before passing it on (order kept: timers of one duration
 * fire in the order they were set). Stands in for a WAN link between two
 * NATS clusters: a round trip across it costs at least `2 * delayMs`.
 */
export function startDelayProxy(targetPort: number, delayMs: number): Promise<DelayProxy> {
  const sockets = new Set<Socket>();
  const pipe = (from: Socket, to: Socket) => {
    from.on("data", (chunk) => {
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, delayMs);
    });
    from.on("close", () => setTimeout(() => to.destroy(), delayMs));
    from.on("error", () => to.destroy());
  };
  const server = createServer((client) => {
    const upstream = tcpConnect(targetPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    }
    pipe(client, upstream);
    pipe(upstream, client);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (!address || typeof address !== "object") return reject(new Error("no proxy port"));
      resolve({
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
