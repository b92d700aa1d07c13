import {
  type DescMethod,
  type JsonValue,
  type Message,
  type Registry,
  toJson,
} from "@bufbuild/protobuf";
import type { CallOptions } from "../../client/call-options.js";
import { createClient } from "../../client/create-client.js";
import { Code } from "../../errors/code.js";
import { RpcError } from "../../errors/rpc-error.js";
import { methodKey } from "../../naming.js";
import type { CommandContext } from "../context.js";
import { inputText, jsonValues, messageFromJson, oneJson, stringChunks } from "../json-input.js";
import { typesOf } from "../types-of.js";
import { findMethod } from "./find-method.js";

export interface CallCommandOptions {
  header: string[];
}

/** `-H "key: value"` (or `key=value`) to a header map. */
export function parseHeaders(values: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const value of values) {
    const at = value.search(/[:=]/);
    if (at <= 0) throw new RpcError(Code.InvalidArgument, `header "${value}" is not "key: value"`);
    headers[value.slice(0, at).trim()] = value.slice(at + 1).trim();
  }
  return headers;
}

async function* listValues(values: JsonValue[]): AsyncIterable<JsonValue> {
  yield* values;
}

/** The request messages of a client or bidi stream: lazily from stdin, or from an argument. */
async function* streamInput(
  ctx: CommandContext,
  arg: string | undefined,
  method: DescMethod,
  types: Registry,
): AsyncIterable<Message> {
  let values: AsyncIterable<JsonValue>;
  if (arg === undefined || arg === "-") {
    values = jsonValues(ctx.io.stdin());
  } else {
    const text = await inputText(ctx.io, arg);
    let whole: JsonValue | undefined;
    try {
      whole = JSON.parse(text) as JsonValue;
    } catch {
      whole = undefined; // NDJSON, parsed line by line below
    }
    const list = whole === undefined ? undefined : Array.isArray(whole) ? whole : [whole];
    values = list === undefined ? jsonValues(stringChunks(text)) : listValues(list);
  }
  let n = 0;
  for await (const value of values) {
    n++;
    yield messageFromJson(method.input, value, types, `request ${n}`);
  }
}

/**
 * `protonats call <service>/<method> [json|@file|-]`: any RPC shape with JSON
 * in and out. Unary and client-stream answers print as one JSON document,
 * server-stream and bidi answers as NDJSON, one message per line.
 */
export async function call(
  ctx: CommandContext,
  path: string,
  arg: string | undefined,
  options: CallCommandOptions,
): Promise<void> {
  const schemas = await ctx.schemas();
  const method = await ctx.progress(`looking up ${path}`, () => findMethod(schemas, path));
  const types = typesOf(method.parent.file);
  ctx.detailTypes = types;
  const headers = parseHeaders(options.header);
  const bus = await ctx.bus();
  const streaming = method.methodKind !== "unary";
  // Deadline: --timeout when given, else the method's `timeout_ms` option, else (unary only) the
  // default --timeout; streams run as long as they flow.
  const client = createClient(
    method.parent,
    bus.runtime,
    streaming ? {} : { timeoutMs: ctx.options.timeout },
  ) as Record<string, (input: unknown, options: CallOptions) => unknown>;
  const invoke = client[methodKey(method)];
  if (!invoke) throw new RpcError(Code.Internal, `no client method for ${method.name}`);
  const callOptions: CallOptions = {
    headers,
    signal: ctx.io.signal,
    ...(ctx.options.timeoutGiven && { timeoutMs: ctx.options.timeout }),
  };
  const print = (m: Message, pretty: boolean) => {
    const json = toJson(method.output, m, { registry: types });
    ctx.out(`${JSON.stringify(json, null, pretty ? 2 : undefined)}\n`);
  };
  const pretty = !ctx.options.json;

  switch (method.methodKind) {
    case "unary": {
      const request = messageFromJson(
        method.input,
        oneJson(await inputText(ctx.io, arg)),
        types,
        "request",
      );
      const reply = await ctx.progress(
        `calling ${method.name}`,
        () => invoke(request, callOptions) as Promise<Message>,
      );
      print(reply, pretty);
      return;
    }
    case "server_streaming": {
      const request = messageFromJson(
        method.input,
        oneJson(await inputText(ctx.io, arg)),
        types,
        "request",
      );
      for await (const m of invoke(request, callOptions) as AsyncIterable<Message>) print(m, false);
      return;
    }
    case "client_streaming": {
      const reply = await (invoke(
        streamInput(ctx, arg, method, types),
        callOptions,
      ) as Promise<Message>);
      print(reply, pretty);
      return;
    }
    case "bidi_streaming":
      for await (const m of invoke(
        streamInput(ctx, arg, method, types),
        callOptions,
      ) as AsyncIterable<Message>) {
        print(m, false);
      }
  }
}
