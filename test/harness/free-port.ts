import { readFileSync } from "node:fs";
import { createServer } from "node:net";

// Why not simply listen on port 0: the kernel hands out those ports from the same
// ephemeral range it uses for the local side of outgoing connections. A test that
// kills a nats-server and restarts it on the same port can find that port taken in
// between by some client or route socket ("bind: address already in use" on a
// cluster port, seen in CI). Ports below the ephemeral range are never given to
// outgoing connections, and each vitest worker takes its own slice of them so that
// two workers never pick the same one.
const lowest = 10_000;
const slices = 8;

/** The first port the kernel may give an outgoing connection, or undefined off Linux. */
function ephemeralStart(): number | undefined {
  try {
    const [low] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
      .trim()
      .split(/\s+/);
    const port = Number(low);
    return Number.isInteger(port) ? port : undefined;
  } catch {
    return undefined;
  }
}

function workerSlice(): { first: number; size: number } | undefined {
  const end = ephemeralStart();
  if (end === undefined) return undefined;
  const size = Math.floor((end - lowest) / slices);
  // Too few ports below the ephemeral range to share out: let the kernel choose.
  if (size < 256) return undefined;
  const worker = Math.max(0, Number(process.env.VITEST_POOL_ID ?? 1) - 1 || 0) % slices;
  return { first: lowest + worker * size, size };
}

const slice = workerSlice();
// A random start, so that test files run one after another in one worker do not
// all begin on the port the previous file's last server may still be closing.
let cursor = slice ? Math.floor(Math.random() * slice.size) : 0;

/** Whether a listener can bind 127.0.0.1:`port` right now. */
function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("no port"));
      });
    });
  });
}

/**
 * A TCP port on 127.0.0.1 that is free now and stays this worker's to reuse:
 * below the kernel's ephemeral range where it can, so that a server restarted
 * on it finds it still free.
 */
export async function freePort(): Promise<number> {
  if (!slice) return kernelPort();
  for (let tried = 0; tried < slice.size; tried++) {
    const port = slice.first + (cursor++ % slice.size);
    if (await canBind(port)) return port;
  }
  return kernelPort();
}
