import { fromBinary, type Registry, toJson } from "@bufbuild/protobuf";
import { DeliverPolicy, jetstream } from "@nats-io/jetstream";
import type { BrokerMessage } from "../../broker/broker.js";
import { withNamespace, withoutNamespace } from "../../broker/subjects.js";
import { Code } from "../../errors/code.js";
import { RpcError } from "../../errors/rpc-error.js";
import { EventTypeHeader } from "../../events/event-headers.js";
import { streamName } from "../../nats/broker/jetstream/names.js";
import type { CommandContext } from "../context.js";
import { jsonLine } from "../output.js";
import { typesOf } from "../types-of.js";
import { eventOrSubject } from "./find-event.js";

export interface SubscribeCommandOptions {
  queue?: string;
  since?: string;
  count?: number;
  token: string[];
}

/** `--since all | 10m | 2h | 30s | <ISO date>` to a JetStream start. */
export function parseSince(since: string, now = Date.now()): { all: true } | { time: Date } {
  if (since === "all") return { all: true };
  const duration = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(since);
  if (duration) {
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[duration[2] as "ms"];
    return { time: new Date(now - Number(duration[1]) * unit) };
  }
  const date = new Date(since);
  if (Number.isNaN(date.getTime())) {
    throw new RpcError(
      Code.InvalidArgument,
      `--since "${since}" is not "all", a duration (10m, 2h) or a date`,
    );
  }
  return { time: date };
}

function tokens(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const at = v.indexOf("=");
    if (at <= 0) throw new RpcError(Code.InvalidArgument, `--token "${v}" is not field=value`);
    out[v.slice(0, at)] = v.slice(at + 1);
  }
  return out;
}

/**
 * `protonats subscribe <event|subject>`: events decoded to JSON lines. An
 * event name subscribes to its subjects (`--token region=eu` narrows them); a
 * subject decodes whatever typed events arrive on it. Without `--queue` it
 * only watches (no queue group, no acknowledgements), so it never takes events
 * from real subscribers; `--since` replays a durable event's stream.
 */
export async function subscribe(
  ctx: CommandContext,
  target: string,
  options: SubscribeCommandOptions,
): Promise<void> {
  const schemas = await ctx.schemas();
  const bus = await ctx.bus();
  const event = await ctx.progress(`looking up ${target}`, () => eventOrSubject(schemas, target));
  const subject = event ? event.pattern(tokens(options.token)) : target;
  // Decoding by the type header needs every type on the bus; an event needs its own only.
  const types: Registry = event ? typesOf(event.schema.file) : await schemas.files();
  const { c } = ctx;
  let seen = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  if (ctx.io.signal.aborted) done();
  ctx.io.signal.addEventListener("abort", () => done(), { once: true });

  /** One line per event: decoded by its type header (or the event's type), else base64. */
  const decode = (
    message: BrokerMessage,
  ): { type: string | undefined; json?: unknown; raw?: string } => {
    const type = message.headers[EventTypeHeader] ?? event?.schema.typeName;
    const schema = (type ? types.getMessage(type) : undefined) ?? event?.schema;
    if (schema) {
      try {
        return {
          type,
          json: toJson(schema, fromBinary(schema, message.body), { registry: types }),
        };
      } catch (error) {
        ctx.io.writeError(
          `${c.yellow("undecodable")} ${schema.typeName}: ${error instanceof Error ? error.message : error}\n`,
        );
      }
    }
    return { type, raw: Buffer.from(message.body).toString("base64") };
  };
  /** `at`: when the event was stored (replays); else now, when it arrived. */
  const print = (message: BrokerMessage, at = new Date()) => {
    if (options.count !== undefined && seen >= options.count) return;
    seen++;
    const { type, json, raw } = decode(message);
    if (ctx.options.json) {
      ctx.out(
        jsonLine({
          subject: message.subject,
          type: type ?? null,
          ...(raw !== undefined ? { base64: raw } : { event: json }),
        }),
      );
    } else {
      const time = at.toISOString().slice(11, 23);
      ctx.out(
        `${c.dim(time)} ${c.cyan(message.subject)} ${c.dim(type ?? "?")} ${raw !== undefined ? c.yellow(raw) : JSON.stringify(json)}\n`,
      );
    }
    if (options.count !== undefined && seen >= options.count) done();
  };

  if (options.since !== undefined) {
    if (!event?.options.durable || options.queue) {
      throw new RpcError(
        Code.InvalidArgument,
        "--since replays a durable event's stream: give a durable event's name, without --queue",
      );
    }
    const start = parseSince(options.since);
    const js = jetstream(bus.nc);
    const consumer = await js.consumers.get(streamName(bus.namespace, event.stream), {
      filter_subjects: withNamespace(bus.namespace, subject),
      ...("all" in start
        ? { deliver_policy: DeliverPolicy.All }
        : { deliver_policy: DeliverPolicy.StartTime, opt_start_time: start.time.toISOString() }),
    });
    const messages = await consumer.consume();
    ctx.io.signal.addEventListener("abort", () => void messages.stop(), { once: true });
    void finished.then(() => messages.stop());
    if (!ctx.options.json)
      ctx.io.writeError(c.dim(`replaying ${subject} since ${options.since}\n`));
    for await (const m of messages) {
      const headers: Record<string, string> = {};
      for (const [k, v] of m.headers ?? []) if (v[0] !== undefined) headers[k] = v[0];
      print(
        {
          subject: withoutNamespace(bus.namespace, m.subject),
          headers,
          body: m.data,
          deliveryCount: 1,
        },
        m.time,
      );
    }
    return;
  }

  // A queue on a durable event joins its workers' consumer (`<queue>-<Message>`) and acknowledges.
  const durable =
    event?.options.durable && options.queue
      ? {
          stream: event.stream,
          streamSubject: event.pattern(),
          name: `${options.queue}-${event.schema.name}`,
        }
      : undefined;
  const sub = await bus.runtime.broker.subscribe(subject, print, {
    ...(options.queue ? { queue: options.queue } : {}),
    ...(durable ? { durable } : {}),
  });
  ctx.io.writeError(
    c.dim(`listening on ${subject}${options.queue ? ` (queue ${options.queue})` : ""}\n`),
  );
  await finished;
  await sub.unsubscribe();
}
