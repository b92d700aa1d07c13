import type { Message } from "@bufbuild/protobuf";
import {
  createGreeterClient,
  defineGreeter,
} from "../../../generated/example/greeter/v1/greeter_nats.js";
import type { ClientOptions } from "../../../runtime/client/client-options.js";
import { RpcError } from "../../../runtime/errors/rpc-error.js";
import type { RuntimeLike } from "../../../runtime/runtime.js";
import type { ServiceRegistration } from "../../../runtime/server/define-service.js";
import { pause } from "./orders.js";

/** One call or stream of the load: when it started and how it ended (never both value and error). */
export interface Settled {
  kind: "unary" | "server-stream" | "client-stream" | "bidi";
  started: number;
  /** 0 while it has not settled. */
  ended: number;
  error?: RpcError | undefined;
  /** Anything but an RpcError (a defect). */
  foreign?: unknown;
}

/** Stream handlers running on a server right now (so a test sees the server release them). */
export interface ActiveStreams {
  count: number;
}

/**
 * A greeter whose streams run for a while: `sayHelloStream` sends `count`
 * greetings 20 ms apart, `chat` echoes, `sayHelloToAll` counts.
 */
export function slowGreeter(
  servedBy: string,
  active: ActiveStreams = { count: 0 },
): ServiceRegistration {
  return defineGreeter({
    async sayHello(req, ctx) {
      await pause(5, ctx.signal);
      return { message: `Hello, ${req.name}`, servedBy };
    },
    async *sayHelloStream(req, ctx) {
      active.count++;
      // The name may say how many ms apart the greetings go: "<name>:<ms>".
      const paceMs = Number(req.name.split(":")[1] ?? 20);
      try {
        for (let i = 0; i < req.count; i++) {
          await pause(paceMs, ctx.signal);
          yield { message: `#${i}`, servedBy };
        }
      } finally {
        active.count--;
      }
    },
    async sayHelloToAll(requests) {
      active.count++;
      try {
        let n = 0;
        for await (const _ of requests) n++;
        return { message: String(n), servedBy };
      } finally {
        active.count--;
      }
    },
    async *chat(requests) {
      active.count++;
      try {
        for await (const r of requests) yield { message: r.name, servedBy };
      } finally {
        active.count--;
      }
    },
  });
}

/** Waits up to `boundMs` for the server's stream handlers to end; returns how many still run. */
export async function released(active: ActiveStreams, boundMs: number): Promise<number> {
  const until = Date.now() + boundMs;
  while (active.count > 0 && Date.now() < until) await pause(20);
  return active.count;
}

/**
 * Every call kind against the greeter until `until`: unary workers in a
 * loop, and long server streams, client streams and bidi chats that each
 * last about `streamMs`, opened again as each ends.
 */
export class MixedLoad {
  readonly outcomes: Settled[] = [];
  private readonly running: Promise<void>[] = [];

  constructor(
    runtime: RuntimeLike,
    private readonly until: number,
    private readonly streamMs = 2_500,
    clientOptions: ClientOptions = {},
    /** Milliseconds between the messages of a stream. */
    private readonly paceMs = 20,
  ) {
    this.client = createGreeterClient(runtime, clientOptions);
  }
  readonly client: ReturnType<typeof createGreeterClient>;

  start(workers = { unary: 8, serverStream: 3, clientStream: 2, bidi: 2 }): void {
    const loop = (kind: Settled["kind"], run: (i: number) => Promise<unknown>) => async () => {
      for (let i = 0; Date.now() < this.until; i++) {
        // After a failure, a short pause: a loop must not spin while NATS is away.
        if (!(await this.track(kind, () => run(i)))) await pause(50);
      }
    };
    const c = this.client;
    const messages = Math.ceil(this.streamMs / this.paceMs);
    const pace = this.paceMs;
    for (let w = 0; w < workers.unary; w++) {
      this.running.push(loop("unary", (i) => c.sayHello({ name: `u${w}-${i}` }))());
    }
    for (let w = 0; w < workers.serverStream; w++) {
      this.running.push(
        loop("server-stream", async () => {
          let n = 0;
          for await (const _ of c.sayHelloStream({ name: `s:${pace}`, count: messages })) n++;
          if (n !== messages) throw new Error(`server stream ended after ${n} of ${messages}`);
        })(),
      );
    }
    for (let w = 0; w < workers.clientStream; w++) {
      this.running.push(
        loop("client-stream", async () => {
          const res = await c.sayHelloToAll(paced(messages, pace));
          if (res.message !== String(messages)) throw new Error(`server counted ${res.message}`);
        })(),
      );
    }
    for (let w = 0; w < workers.bidi; w++) {
      this.running.push(
        loop("bidi", async () => {
          let n = 0;
          for await (const _ of c.chat(paced(messages, pace))) n++;
          if (n !== messages) throw new Error(`chat ended after ${n} of ${messages}`);
        })(),
      );
    }
  }

  /** Waits up to `boundMs` for every worker; returns what had not settled by then. */
  async settle(boundMs: number): Promise<Settled[]> {
    const all = Promise.all(this.running);
    await Promise.race([all, pause(boundMs)]);
    return this.outcomes.filter((o) => o.ended === 0);
  }

  /** Runs one call or stream; resolves whether it succeeded. */
  private async track(kind: Settled["kind"], run: () => Promise<unknown>): Promise<boolean> {
    const o: Settled = { kind, started: Date.now(), ended: 0 };
    this.outcomes.push(o);
    try {
      await run();
    } catch (error) {
      if (error instanceof RpcError) o.error = error;
      else o.foreign = error;
    }
    o.ended = Date.now();
    return o.error === undefined && o.foreign === undefined;
  }
}

async function* paced(count: number, paceMs: number): AsyncIterable<{ name: string }> {
  for (let i = 0; i < count; i++) {
    await pause(paceMs);
    yield { name: `m${i}` };
  }
}

/** A one-line summary of the outcomes, by kind, for the test log. */
export function summary(outcomes: readonly Settled[]): string {
  const kinds = new Map<string, { ok: number; failed: Map<string, number>; open: number }>();
  for (const o of outcomes) {
    let k = kinds.get(o.kind);
    if (k === undefined) {
      k = { ok: 0, failed: new Map(), open: 0 };
      kinds.set(o.kind, k);
    }
    if (o.ended === 0) k.open++;
    else if (o.error === undefined && o.foreign === undefined) k.ok++;
    else {
      const code = o.error ? String(o.error.code) : "foreign";
      k.failed.set(code, (k.failed.get(code) ?? 0) + 1);
    }
  }
  return [...kinds]
    .map(
      ([kind, k]) =>
        `${kind}: ${k.ok} ok, ${k.open} unsettled, failed ${JSON.stringify(Object.fromEntries(k.failed))}`,
    )
    .join("; ");
}

/** The distinct failure messages, for the test log. */
export function failures(outcomes: readonly Settled[]): string[] {
  const seen = new Set<string>();
  for (const o of outcomes) {
    if (o.error) seen.add(`${o.kind} ${o.error.code} ${o.error.message}`);
    if (o.foreign) seen.add(`${o.kind} foreign ${String(o.foreign)}`);
  }
  return [...seen];
}

export type { Message };
