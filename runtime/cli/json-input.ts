import { readFile } from "node:fs/promises";
import {
  type DescMessage,
  fromJson,
  type JsonValue,
  type Message,
  type Registry,
} from "@bufbuild/protobuf";
import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import type { CliIo } from "./io.js";

/*
 * JSON in: an argument, `@file`, or `-` (standard input). Errors name what is
 * wrong: the JSON syntax with its position, or the field protobuf refused.
 */

function parseJson(text: string, where: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new RpcError(Code.InvalidArgument, `${where} is not JSON: ${why}`);
  }
}

/** A message from JSON; protobuf's error names the field (`... field example.v1.X.count ...`). */
export function messageFromJson(
  schema: DescMessage,
  json: JsonValue,
  registry: Registry,
  where: string,
): Message {
  try {
    return fromJson(schema, json, { registry });
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new RpcError(Code.InvalidArgument, `${where}: ${why}`);
  }
}

async function readAll(chunks: AsyncIterable<string>): Promise<string> {
  let text = "";
  for await (const chunk of chunks) text += chunk;
  return text;
}

/** The text behind an argument: itself, a file for `@path`, stdin for `-` or nothing. */
export async function inputText(io: CliIo, arg: string | undefined): Promise<string> {
  if (arg === undefined || arg === "-") return readAll(io.stdin());
  if (arg.startsWith("@")) {
    try {
      return await readFile(arg.slice(1), "utf8");
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new RpcError(Code.NotFound, `cannot read ${arg.slice(1)}: ${why}`);
    }
  }
  return arg;
}

/** One JSON document (unary requests, events). Empty input is `{}`. */
export function oneJson(text: string): JsonValue {
  return text.trim() === "" ? {} : parseJson(text, "input");
}

/**
 * JSON values one by one, as they arrive: a JSON array, or NDJSON (one value
 * per line) for client and bidi streams, read lazily so that a bidi stream
 * answers each line before the next is typed.
 */
export async function* jsonValues(chunks: AsyncIterable<string>): AsyncIterable<JsonValue> {
  let buffered = "";
  let line = 0;
  const parseLine = (text: string): JsonValue[] => {
    line++;
    if (text.trim() === "") return [];
    const value = parseJson(text, `line ${line}`);
    return Array.isArray(value) ? value : [value];
  };
  for await (const chunk of chunks) {
    buffered += chunk;
    let end = buffered.indexOf("\n");
    while (end >= 0) {
      yield* parseLine(buffered.slice(0, end));
      buffered = buffered.slice(end + 1);
      end = buffered.indexOf("\n");
    }
  }
  yield* parseLine(buffered);
}

/** The same from a string (argument or file). */
export async function* stringChunks(text: string): AsyncIterable<string> {
  yield text;
}
