import type { DescFile, DescMessage, DescMethod, DescService } from "@bufbuild/protobuf";
import { retrySafety } from "../../runtime/client/retry-safety.js";
import { methodKey } from "../../runtime/naming.js";
import { codecUnsupported } from "../codec/codec-support.js";
import { messagesOf } from "../validate/validate-file.js";
import { docText } from "./doc-text.js";
import { LocalNames } from "./local-names.js";
import { readEventOptions, readMethodOptions, readServiceOptions } from "./read-options.js";

/** What the templates render for one .proto file. */
export interface FileModel {
  readonly file: DescFile;
  readonly services: ServiceModel[];
  readonly events: EventModel[];
  /** Messages of the file that get a generated binary codec (see codec/codec-support.ts). */
  readonly codecs: DescMessage[];
  /**
   * How to spell the globals the templates use. A message named `Promise`
   * or `AsyncIterable` is imported under that name and would shadow the
   * global, so such a file says `globalThis.Promise` instead.
   */
  readonly globals: Record<(typeof templateGlobals)[number], string>;
}

const templateGlobals = ["Promise", "AsyncIterable"] as const;

export interface ServiceModel {
  readonly desc: DescService;
  readonly clientName: string;
  readonly createClientName: string;
  readonly handlersName: string;
  readonly defineName: string;
  readonly doc: string;
  readonly handlersDoc: string;
  readonly createClientDoc: string;
  readonly defineDoc: string;
  readonly methods: MethodModel[];
}

export interface MethodModel {
  readonly desc: DescMethod;
  /** Property name on clients and handler objects (`then` becomes `then$`). */
  readonly key: string;
  /** `key` as written in an interface: `new(...)` there would be a construct signature. */
  readonly member: string;
  readonly unary: boolean;
  readonly serverStreaming: boolean;
  readonly clientStreaming: boolean;
  readonly doc: string;
}

export interface EventModel {
  readonly desc: DescMessage;
  readonly name: string;
  readonly doc: string;
  /** The `EventOptions` passed to `defineEvent`, only the fields that are set. */
  readonly options: { key: string; value: string | number | boolean }[];
}

/** Builds the model of `file`; the file must have passed validation. */
export function fileModel(file: DescFile, withCodecs = true): FileModel {
  const names = new LocalNames();
  const services = file.services.map((svc) => serviceModel(svc, names));
  const events: EventModel[] = [];
  for (const message of messagesOf(file)) {
    const event = eventModel(message, names);
    if (event !== undefined) events.push(event);
  }
  const used = new Set<string>();
  for (const svc of file.services) {
    for (const rpc of svc.methods) used.add(rpc.input.name).add(rpc.output.name);
  }
  const globals = Object.fromEntries(
    templateGlobals.map((name) => [name, used.has(name) ? `globalThis.${name}` : name]),
  ) as FileModel["globals"];
  const codecs = withCodecs
    ? messagesOf(file).filter((m) => codecUnsupported(m) === undefined)
    : [];
  return { file, services, events, codecs, globals };
}

function serviceModel(svc: DescService, names: LocalNames): ServiceModel {
  const base = pascal(svc.name);
  const clientName = names.take(`${base}Client`);
  const handlersName = names.take(`${base}Handlers`);
  const ref = `\`${svc.typeName}\``;
  return {
    desc: svc,
    clientName,
    createClientName: names.take(`create${base}Client`),
    handlersName,
    defineName: names.take(`define${base}`),
    doc: docText(svc, serviceNotes(svc)),
    handlersDoc: docText(svc, [`The handlers that implement ${ref}, one per method.`], false),
    createClientDoc: docText(
      svc,
      [
        `Creates a {@link ${clientName}} that calls ${ref} over \`runtime\` (a NATS connection or a runtime).`,
      ],
      false,
    ),
    defineDoc: docText(
      svc,
      [`Pairs {@link ${handlersName}} with ${ref}; pass the result to \`serve()\`.`],
      false,
    ),
    methods: svc.methods.map(methodModel),
  };
}

function serviceNotes(svc: DescService): string[] {
  const options = readServiceOptions(svc);
  const notes: string[] = [];
  if (options !== undefined && options.version.length > 0)
    notes.push(`Version ${options.version}.`);
  if (options !== undefined && options.subjectPrefix.length > 0) {
    notes.push(`Subjects start with \`${options.subjectPrefix}\`.`);
  }
  return notes;
}

function methodModel(rpc: DescMethod): MethodModel {
  const key = methodKey(rpc);
  return {
    desc: rpc,
    key,
    member: key === "new" ? `"${key}"` : key,
    unary: rpc.methodKind === "unary",
    serverStreaming: rpc.methodKind === "server_streaming",
    clientStreaming: rpc.methodKind === "client_streaming",
    doc: docText(rpc, methodNotes(rpc, key)),
  };
}

function methodNotes(rpc: DescMethod, key: string): string[] {
  const notes: string[] = [];
  const options = readMethodOptions(rpc);
  if (key !== rpc.localName) {
    notes.push(
      `Named \`${key}\` because \`${rpc.localName}\` would change how JavaScript treats the object.`,
    );
  }
  if (options !== undefined && options.timeoutMs > 0) {
    notes.push(`Deadline: ${options.timeoutMs} ms unless the call sets \`timeoutMs\`.`);
  }
  const safety = retrySafety(rpc);
  if (safety === "no-side-effects") notes.push("No side effects: safe to retry.");
  else if (safety === "idempotent") notes.push("Idempotent: safe to retry.");
  if (options?.noReply === true) {
    notes.push("No reply: the server sends no response (fire and forget).");
  }
  return notes;
}

function eventModel(message: DescMessage, names: LocalNames): EventModel | undefined {
  const options = readEventOptions(message);
  if (options === undefined) return undefined;
  const fields: EventModel["options"] = [{ key: "subject", value: options.subject }];
  const notes = [`Event on subject \`${options.subject}\`.`];
  const wildcard = options.subject.replace(/\{[^}]*\}/g, "*");
  if (wildcard !== options.subject) {
    notes.push(
      `Braced tokens are filled from the event's fields; \`${wildcard}\` matches every event.`,
    );
  }
  if (options.queue.length > 0) {
    fields.push({ key: "queue", value: options.queue });
    notes.push(`Subscribers share the queue group \`${options.queue}\` unless they name another.`);
  }
  if (options.durable) {
    fields.push({ key: "durable", value: true });
    notes.push(
      options.stream.length > 0
        ? `Durable: stored in the JetStream stream \`${options.stream}\`.`
        : "Durable: stored in JetStream.",
    );
  }
  if (options.stream.length > 0) fields.push({ key: "stream", value: options.stream });
  if (options.streamMaxAgeSeconds > 0) {
    fields.push({ key: "streamMaxAgeMs", value: options.streamMaxAgeSeconds * 1000 });
    notes.push(`The stream keeps events for ${options.streamMaxAgeSeconds} s when created.`);
  }
  if (options.streamMaxMegabytes > 0) {
    fields.push({ key: "streamMaxBytes", value: options.streamMaxMegabytes * 1024 * 1024 });
    notes.push(`The stream keeps at most ${options.streamMaxMegabytes} MiB when created.`);
  }
  const base = message.typeName
    .substring(message.file.proto.package.length)
    .replace(/^\./, "")
    .replaceAll(".", "_");
  return {
    desc: message,
    // `OrderPlaced` → `OrderPlacedEvent`, but `ClashEvent` stays `ClashEvent`, not `ClashEventEvent`.
    name: names.take(base.endsWith("Event") ? base : `${base}Event`),
    doc: docText(message, notes),
    options: fields,
  };
}

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.substring(1);
}
