import { toBinary } from "@bufbuild/protobuf";
import type { CommandContext } from "../context.js";
import { inputText, messageFromJson, oneJson } from "../json-input.js";
import { jsonLine } from "../output.js";
import { typesOf } from "../types-of.js";
import { parseHeaders } from "./call.js";
import { findEvent } from "./find-event.js";

/**
 * `protonats publish <event> <json>`: a typed event from JSON; the subject's
 * tokens come from the fields, durable events are stored in JetStream.
 */
export async function publish(
  ctx: CommandContext,
  name: string,
  arg: string | undefined,
  options: { header: string[] },
): Promise<void> {
  const schemas = await ctx.schemas();
  const event = await ctx.progress(`looking up ${name}`, () => findEvent(schemas, name));
  const types = typesOf(event.schema.file);
  const message = messageFromJson(
    event.schema,
    oneJson(await inputText(ctx.io, arg)),
    types,
    "event",
  );
  const subject = event.subjectFor(message);
  const bus = await ctx.bus();
  await ctx.progress(`publishing on ${subject}`, () =>
    event.publish(bus.runtime, message, { headers: parseHeaders(options.header) }),
  );
  const durable = event.options.durable === true;
  if (ctx.options.json) {
    ctx.out(
      jsonLine({
        event: event.schema.typeName,
        subject,
        durable,
        bytes: toBinary(event.schema, message).length,
      }),
    );
    return;
  }
  const { c } = ctx;
  ctx.out(
    `published ${c.bold(event.schema.typeName)} on ${c.cyan(subject)}${durable ? c.dim(" (stored in JetStream)") : ""}\n`,
  );
}
