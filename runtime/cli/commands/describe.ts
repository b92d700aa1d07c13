import type { DescMessage, DescMethod, DescService } from "@bufbuild/protobuf";
import { Code } from "../../errors/code.js";
import { RpcError } from "../../errors/rpc-error.js";
import type { CommandContext } from "../context.js";
import { jsonLine } from "../output.js";
import {
  eventOptionsOf,
  messagesText,
  methodOptionsText,
  methodText,
  serviceText,
} from "../proto-text.js";
import type { Schemas } from "../schemas.js";
import { findMethod } from "./find-method.js";

type Found =
  | { kind: "service"; service: DescService }
  | { kind: "method"; method: DescMethod }
  | { kind: "message"; message: DescMessage };

/** `undefined` for a name that is not of this kind; any other failure stands. */
function notFound(error: unknown): undefined {
  if (error instanceof RpcError && error.code === Code.NotFound) return undefined;
  throw error;
}

/**
 * What a name means: a service (full or short name), a method
 * (`Service/Method` or `Service.Method`), or a message (an event when it has
 * the `(protonats.v1.event)` option).
 */
async function resolve(schemas: Schemas, target: string): Promise<Found> {
  if (target.includes("/")) return { kind: "method", method: await findMethod(schemas, target) };
  const service = await schemas.service(target).catch(notFound);
  if (service) return { kind: "service", service };
  const dot = target.lastIndexOf(".");
  if (dot > 0) {
    const method = await findMethod(
      schemas,
      `${target.slice(0, dot)}/${target.slice(dot + 1)}`,
    ).catch(() => undefined);
    if (method) return { kind: "method", method };
  }
  const message = await schemas.message(target).catch((error: unknown) => {
    if (error instanceof RpcError && error.code === Code.NotFound) {
      throw new RpcError(
        Code.NotFound,
        `no service, method, message or event "${target}" on the bus`,
      );
    }
    throw error;
  });
  return { kind: "message", message };
}

function methodJson(m: DescMethod) {
  return {
    name: m.name,
    kind: m.methodKind,
    requestType: m.input.typeName,
    responseType: m.output.typeName,
    options: methodOptionsText(m),
  };
}

/** Events declared beside a service: the messages of its file with an event option. */
function eventsOf(service: DescService): DescMessage[] {
  return service.file.messages.filter((m) => eventOptionsOf(m) !== undefined);
}

/** `protonats describe <target>`: the schema as proto text (or JSON with `--json`). */
export async function describe(ctx: CommandContext, target: string): Promise<void> {
  const schemas = await ctx.schemas();
  const found = await ctx.progress(`looking up ${target}`, () => resolve(schemas, target));
  const { c } = ctx;
  if (found.kind === "service") {
    const { service } = found;
    const events = eventsOf(service);
    const messages = service.methods.flatMap((m) => [m.input, m.output]);
    if (ctx.options.json) {
      ctx.out(
        jsonLine({
          kind: "service",
          name: service.typeName,
          file: service.file.name,
          methods: service.methods.map(methodJson),
          events: events.map((e) => ({ name: e.typeName, ...eventOptionsOf(e) })),
          proto: `${serviceText(service)}\n\n${messagesText([...messages, ...events])}`,
        }),
      );
      return;
    }
    ctx.out(`${c.bold(serviceText(service))}\n\n${messagesText([...messages, ...events])}\n`);
    return;
  }
  if (found.kind === "method") {
    const { method } = found;
    if (ctx.options.json) {
      ctx.out(
        jsonLine({
          kind: "method",
          service: method.parent.typeName,
          method: methodJson(method),
          proto: `${methodText(method)}\n\n${messagesText([method.input, method.output])}`,
        }),
      );
      return;
    }
    ctx.out(
      `${c.dim(`// ${method.parent.typeName} (${method.methodKind})`)}\n${c.bold(methodText(method))}\n\n${messagesText([method.input, method.output])}\n`,
    );
    return;
  }
  const { message } = found;
  const event = eventOptionsOf(message);
  if (ctx.options.json) {
    ctx.out(
      jsonLine({
        kind: event ? "event" : "message",
        name: message.typeName,
        ...(event && {
          event: {
            subject: event.subject,
            queue: event.queue,
            durable: event.durable,
            stream: event.stream,
          },
        }),
        proto: messagesText([message]),
      }),
    );
    return;
  }
  if (event) {
    ctx.out(
      c.dim(
        `// event on ${event.subject}${event.durable ? " (durable)" : ""}${event.queue ? `, queue ${event.queue}` : ""}\n`,
      ),
    );
  }
  ctx.out(`${messagesText([message])}\n`);
}
