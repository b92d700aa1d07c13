import { isDeepStrictEqual } from "node:util";
import { create } from "@bufbuild/protobuf";
import { MsgImpl } from "@nats-io/nats-core/internal";
import type { Msg } from "@nats-io/transport-node";
import fc from "fast-check";
import { OrderPlacedSchema } from "../../generated/example/orders/v1/orders_pb.js";
import type { Code } from "../../runtime/errors/code.js";
import { RpcError } from "../../runtime/errors/rpc-error.js";
import { SubjectTemplate } from "../../runtime/events/subject-template.js";
import { RecordRules } from "../../runtime/nats/registry/record-rules.js";
import { resolveRegistryLimits } from "../../runtime/nats/registry/registry-limits.js";
import type { Announcement } from "../../runtime/nats/registry/registry-wire.js";
import {
  decodeAnnouncement,
  decodeAnswer,
  decodeQuery,
  encodeJson,
} from "../../runtime/nats/registry/registry-wire.js";
import { headerBlock, parseHeaders } from "../../runtime/nats/transport/header-block.js";
import { decodeNatsFrame } from "../../runtime/nats/transport/nats-frame-codec.js";
import { serviceAddress } from "../../runtime/transport/subjects.js";
import type { Frame, FrameType } from "../../runtime/transport/transport.js";
import { decodeCompactCall } from "../../runtime/wire/compact-call.js";
import { decodeCompact } from "../../runtime/wire/compact-frame.js";
import { decodeFrame, encodeFrame } from "../../runtime/wire/frame-codec.js";
import { headerBlockBytes, headerLine, parseHeaderBlock } from "../../runtime/wire/header-block.js";

/*
 * Properties of everything that reads bytes a stranger on the bus can send:
 * the frame decoder, the header block parser, the registry record parser and
 * the event subject template reader. Each decoder returns or throws the typed
 * error (`RpcError`), never anything else; it takes little time whatever the
 * input (no pathological backtracking); and it reads back what the matching
 * encoder wrote. Shared by the CI test (fixed seed, few runs) and
 * `bench/fuzz.ts` (many runs).
 */

/** Longest one decode may take, with room for a loaded machine's GC pauses. */
const slowMs = 250;

/** Runs `decode`; true when it returned, false when it threw an `RpcError`; fails otherwise. */
function decodes(decode: () => unknown): boolean {
  const started = performance.now();
  let returned = true;
  try {
    decode();
  } catch (error) {
    if (!(error instanceof RpcError)) throw error;
    returned = false;
  }
  const took = performance.now() - started;
  if (took > slowMs) throw new Error(`decode took ${took.toFixed(0)} ms`);
  return returned;
}

const encoder = new TextEncoder();

/** A NATS message as nats.js delivers it: raw header bytes, then the body. */
function natsMessage(header: Uint8Array | undefined, body: Uint8Array, asBuffer: boolean): Msg {
  const hdr = header === undefined ? -1 : header.length;
  const joined = new Uint8Array((header?.length ?? 0) + body.length);
  if (header !== undefined) joined.set(header);
  joined.set(body, header?.length ?? 0);
  const data = asBuffer ? Buffer.from(joined) : joined;
  const msg = {
    subject: encoder.encode("pn.node.fuzz"),
    reply: encoder.encode("_INBOX.fuzz.1"),
    sid: 1,
    hdr,
    size: data.length,
  };
  return new MsgImpl(msg as never, data, {} as never) as unknown as Msg;
}

/** Header-ish text: `NATS/1.0` status lines and `Name: value` lines, valid or not. */
const reservedNames = [
  "Pn-Method",
  "Pn-Timeout",
  "Pn-Frame",
  "Pn-Window",
  "Pn-Heartbeat",
  "Pn-Credit",
  "Pn-Status",
  "Pn-Message",
  "Pn-Content-Type",
  "Pn-T-x",
  "Nats-Service-Error",
  "Nats-Service-Error-Code",
];
const headerishValue = fc.oneof(
  fc.string(),
  fc.constantFrom("open", "msg", "end", "cancel", "credit", "ping", "application/proto"),
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom("1e12", "-1", "NaN", "Infinity", "%E0%A4%A", "0x10", ""),
);
const headerishLine = fc.oneof(
  fc.tuple(fc.constantFrom(...reservedNames), headerishValue).map(([k, v]) => `${k}: ${v}`),
  fc.tuple(fc.string(), fc.string()).map(([k, v]) => `${k}:${v}`),
  fc.string(),
);
const headerishBlock = fc
  .tuple(
    fc.constantFrom("NATS/1.0", "NATS/1.0 503", "NATS/1.0 408 Timeout", "NATS/1.0 abc", "HTTP/1.1"),
    fc.array(headerishLine, { maxLength: 12 }),
  )
  .map(([first, lines]) => `${first}\r\n${lines.join("\r\n")}\r\n\r\n`);

const framesDecode = fc.property(
  fc.option(
    fc.oneof(
      headerishBlock.map((t) => encoder.encode(t)),
      fc.uint8Array(),
    ),
    {
      nil: undefined,
    },
  ),
  fc.uint8Array({ maxLength: 64 }),
  fc.boolean(),
  fc.boolean(),
  (header, body, fromClient, asBuffer) => {
    decodes(() => decodeNatsFrame(natsMessage(header, body, asBuffer), fromClient));
    // The transport-neutral codec, as the in-process transport uses it.
    decodes(() => {
      const parsed = header === undefined ? undefined : parseHeaderBlock(header, header.length);
      return decodeFrame(parsed, body, fromClient);
    });
  },
);

/** Header names a user may choose: printable ASCII without `:`, not reserved. */
const userHeaderName = fc
  .stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/)
  .filter((n) => !n.startsWith("Pn-") && !n.startsWith("Nats-Service-Error"));
/** Values survive as they are when they have no line breaks or edge whitespace. */
const headerValue = fc
  .string({ unit: "grapheme-ascii", maxLength: 40 })
  .map((v) => v.replace(/[\r\n]/g, "").trim());
const userHeaders = fc.option(fc.dictionary(userHeaderName, headerValue, { maxKeys: 4 }), {
  nil: undefined,
});
const count = fc.option(fc.nat({ max: 1_000_000_000 }), { nil: undefined });

const sentFrame: fc.Arbitrary<Frame> = fc
  .record({
    type: fc.constantFrom<FrameType>(
      "call",
      "reply",
      "open",
      "message",
      "end",
      "cancel",
      "credit",
      "ping",
    ),
    method: fc.option(fc.stringMatching(/^\/[a-z.]{1,12}\/[A-Z][a-z]{0,8}$/), { nil: undefined }),
    timeoutMs: count,
    window: count,
    heartbeatMs: count,
    credit: count,
    headers: userHeaders,
    trailers: userHeaders,
    error: fc.option(
      fc
        .tuple(fc.integer({ min: 1, max: 16 }), fc.string({ maxLength: 40 }))
        .map(([code, message]) => new RpcError(code as Code, message)),
      { nil: undefined },
    ),
    body: fc.option(fc.uint8Array({ minLength: 1, maxLength: 64 }), { nil: undefined }),
  })
  .map((f) => {
    const frame: Frame = { type: f.type };
    for (const [k, v] of Object.entries(f)) {
      if (v !== undefined && (k !== "headers" || Object.keys(v).length > 0)) {
        (frame as unknown as Record<string, unknown>)[k] = v;
      }
    }
    if (frame.trailers !== undefined && Object.keys(frame.trailers).length === 0) {
      delete frame.trailers;
    }
    return frame;
  });

const framesRoundTrip = fc.property(
  sentFrame,
  fc.boolean(),
  fc.boolean(),
  (frame, asBuffer, nats) => {
    const encoded = encodeFrame(frame);
    const fromClient = frame.type !== "reply";
    let decoded: Frame;
    if (nats) {
      const header = encoded.lines === "" ? undefined : headerBlock(encoded.lines).encode();
      decoded = decodeNatsFrame(natsMessage(header, encoded.body, asBuffer), fromClient);
    } else {
      const header = encoded.lines === "" ? undefined : headerBlockBytes(encoded.lines);
      const parsed = header === undefined ? undefined : parseHeaderBlock(header, header.length);
      decoded = decodeFrame(parsed, encoded.body, fromClient);
    }
    // A message without Pn-Frame is a call from a client and a reply to one.
    const expectedType =
      frame.type === "call" || frame.type === "reply"
        ? fromClient
          ? "call"
          : "reply"
        : frame.type;
    check(decoded.type === expectedType, "type", frame, decoded);
    for (const key of ["method", "timeoutMs", "window", "heartbeatMs", "credit"] as const) {
      check(decoded[key] === frame[key], key, frame, decoded);
    }
    check(same(decoded.trailers, frame.trailers), "trailers", frame, decoded);
    if (frame.error !== undefined) {
      check(decoded.error?.code === frame.error.code, "error code", frame, decoded);
      check(decoded.error?.rawMessage === frame.error.rawMessage, "error message", frame, decoded);
      check(same(decoded.error?.metadata, frame.headers), "error metadata", frame, decoded);
    } else {
      check(decoded.error === undefined, "no error", frame, decoded);
      check(same(decoded.headers, frame.headers), "headers", frame, decoded);
      check(same(decoded.body, frame.body), "body", frame, decoded);
    }
  },
);

/** Payloads a stream may get without header block: preamble-like starts, then anything. */
const compactish = fc
  .tuple(
    fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
    fc.array(fc.oneof(fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0xff), fc.nat(255)), {
      maxLength: 24,
    }),
  )
  .map(([first, rest]) => new Uint8Array(first === undefined ? rest : [first, ...rest]));

const compactDecode = fc.property(
  compactish,
  fc.boolean(),
  fc.boolean(),
  (bytes, asBuffer, fromClient) => {
    // As a connection reads it: the transport's header-less frame, then its preamble.
    const natsFrame = decodeNatsFrame(natsMessage(undefined, bytes, asBuffer), fromClient);
    const ok = decodes(() => decodeCompact(natsFrame));
    const plainFrame = decodeFrame(undefined, bytes, fromClient);
    check(decodes(() => decodeCompact(plainFrame)) === ok, "verdict", [...bytes], plainFrame);
    if (ok) {
      check(
        natsFrame.type === "message" || natsFrame.type === "credit",
        "type",
        [...bytes],
        natsFrame,
      );
      check(Number.isSafeInteger(natsFrame.seq), "seq", [...bytes], natsFrame);
    }
  },
);

const compactRoundTrip = fc.property(
  fc.constantFrom<FrameType>("message", "credit"),
  fc.oneof(fc.nat(300), fc.nat(), fc.maxSafeNat()),
  fc.oneof(fc.nat(300), fc.maxSafeNat()),
  fc.option(fc.uint8Array({ minLength: 1, maxLength: 64 }), { nil: undefined }),
  fc.boolean(),
  fc.boolean(),
  (type, seq, credit, body, asBuffer, nats) => {
    const frame: Frame = type === "message" ? { type, body } : { type, credit };
    const encoded = encodeFrame(frame, seq);
    check(encoded.lines === "", "compact form", frame, encoded.lines);
    const decoded = nats
      ? decodeNatsFrame(natsMessage(undefined, encoded.body, asBuffer), true)
      : decodeFrame(undefined, encoded.body, false);
    decodeCompact(decoded);
    check(decoded.type === type, "type", frame, decoded);
    check(decoded.seq === seq, "seq", frame, decoded);
    check(same(decoded.body, frame.body), "body", frame, decoded);
    check(decoded.credit === frame.credit, "credit", frame, decoded);
  },
);

/** Payloads a server may get as compact calls: the marker, then anything (method-like bytes often). */
const compactCallish = fc
  .array(fc.oneof(fc.constantFrom(0x00, 0x01, 0x2f, 0x7f, 0x80, 0xc3, 0xff), fc.nat(255)), {
    maxLength: 40,
  })
  .map((rest) => new Uint8Array([0x02, ...rest]));

const compactCallDecode = fc.property(compactCallish, fc.boolean(), (bytes, asBuffer) => {
  const frame = decodeNatsFrame(natsMessage(undefined, bytes, asBuffer), true);
  if (decodes(() => decodeCompactCall(frame))) {
    check(typeof frame.method === "string" && frame.method !== "", "method", [...bytes], frame);
    const timeout = frame.timeoutMs;
    check(timeout === undefined || Number.isSafeInteger(timeout), "timeout", [...bytes], frame);
  }
});

const compactCallRoundTrip = fc.property(
  fc.string({ minLength: 1, maxLength: 20, unit: "grapheme" }),
  fc.option(fc.oneof(fc.nat(10_000), fc.double({ min: 0, max: 1e9, noNaN: true })), {
    nil: undefined,
  }),
  fc.option(fc.uint8Array({ minLength: 1, maxLength: 64 }), { nil: undefined }),
  fc.boolean(),
  (method, timeoutMs, body, asBuffer) => {
    const frame: Frame = { type: "call", method, compact: true, timeoutMs, body };
    const encoded = encodeFrame(frame);
    check(encoded.lines === "", "compact form", frame, encoded.lines);
    const decoded = decodeNatsFrame(natsMessage(undefined, encoded.body, asBuffer), true);
    decodeCompactCall(decoded);
    check(decoded.method === method, "method", frame, decoded);
    const sentTimeout = timeoutMs === undefined ? undefined : Math.ceil(timeoutMs);
    check(decoded.timeoutMs === sentTimeout, "timeout", frame, decoded);
    check(same(decoded.body, body), "body", frame, decoded);
  },
);

function same(a: unknown, b: unknown): boolean {
  const empty = (x: unknown) =>
    x === undefined || (typeof x === "object" && !Object.keys(x as object).length);
  if (empty(a) && empty(b)) return true;
  if (a instanceof Uint8Array && b instanceof Uint8Array)
    return Buffer.from(a).equals(Buffer.from(b));
  // Through JSON: plain objects either way (generated dictionaries may have no prototype).
  const plain = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;
  return isDeepStrictEqual(plain(a), plain(b));
}

function check(ok: boolean, what: string, sent: unknown, got: unknown): void {
  if (!ok) throw new Error(`${what} changed: sent ${show(sent)}, got ${show(got)}`);
}

function show(x: unknown): string {
  return JSON.stringify(x, (_k, v) => (v instanceof Uint8Array ? [...v] : v));
}

const headerBlocksDecode = fc.property(
  fc.oneof(
    headerishBlock.map((t) => encoder.encode(t)),
    fc.uint8Array({ maxLength: 256 }),
  ),
  fc.integer({ min: 1, max: 300 }),
  (block, maxBytes) => {
    const accepted = decodes(() =>
      parseHeaders(natsMessage(block, new Uint8Array(0), true), maxBytes),
    );
    if (!accepted && block.length <= maxBytes) throw new Error("refused a block within the limit");
  },
);

const headerBlocksRoundTrip = fc.property(
  fc.array(fc.tuple(userHeaderName, headerValue), { maxLength: 8 }),
  (pairs) => {
    const block = headerBlock(pairs.map(([k, v]) => headerLine(k, v)).join(""));
    const parsed = parseHeaders(natsMessage(block.encode(), new Uint8Array(0), true));
    const entries = parsed?.entries ?? [];
    check(same(entries, pairs.flat()), "header entries", pairs, entries);
  },
);

const rules = new RecordRules("ns", resolveRegistryLimits({ maxMessageBytes: 4096 }));
const greeter = "example.greeter.v1.Greeter";

const registryDecode = fc.property(
  fc.oneof(
    fc.uint8Array({ maxLength: 128 }),
    fc.json().map((j) => encoder.encode(j)),
    registryShapedJson().map((j) => encoder.encode(JSON.stringify(j))),
  ),
  (bytes) => {
    // Malformed yields undefined and a broken rule a refusal: the decoders never throw.
    const decoders = [
      () => decodeQuery(bytes),
      () => decodeAnswer(bytes, rules, greeter),
      () => decodeAnswer(bytes, rules),
      () => decodeAnnouncement(bytes, rules, greeter),
    ];
    for (const decode of decoders) {
      if (!decodes(decode)) throw new Error("a registry decoder threw");
    }
  },
);

/** JSON objects that look like registry messages, with any values in their fields. */
function registryShapedJson(): fc.Arbitrary<unknown> {
  const anything = fc.oneof(fc.jsonValue(), fc.constant(undefined));
  const node = fc.record({
    id: fc.oneof(anything, fc.constant("n1")),
    address: fc.oneof(anything, fc.constant(serviceAddress("ns", greeter, "n1"))),
    metadata: anything,
    seal: anything,
  });
  const service = fc.record({
    name: fc.oneof(anything, fc.constant(greeter)),
    version: anything,
    metadata: anything,
    endpoints: fc.oneof(anything, fc.array(fc.record({ name: anything, kind: anything }))),
    nodes: fc.oneof(anything, fc.array(node, { maxLength: 3 })),
    fileDescriptors: anything,
  });
  return fc.record({
    op: fc.oneof(fc.constantFrom("register", "deregister", "heartbeat", "get", "list"), anything),
    registry: anything,
    ttl: fc.oneof(anything, fc.double()),
    name: anything,
    service: fc.oneof(anything, service),
    services: fc.oneof(anything, fc.array(service, { maxLength: 2 })),
    nodes: fc.oneof(anything, fc.array(node, { maxLength: 3 })),
  });
}

const word = fc.stringMatching(/^[a-z0-9_-]{1,8}$/);

const nodeId = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
const seal = fc.stringMatching(/^[0-9a-f]{64}$/);

const announcementsRoundTrip = fc.property(
  fc.record({
    registry: word,
    ttl: fc.integer({ min: 1, max: 10_000 }),
    version: word,
    metadata: fc.dictionary(word, word, { maxKeys: 3 }),
    nodes: fc.uniqueArray(
      fc.record({ id: nodeId, metadata: fc.dictionary(word, word, { maxKeys: 3 }), seal }),
      { maxLength: 3, selector: (n) => n.id },
    ),
  }),
  (r) => {
    const nodes = r.nodes.map((n) => ({ ...n, address: serviceAddress("ns", greeter, n.id) }));
    const service = {
      name: greeter,
      version: r.version,
      metadata: r.metadata,
      endpoints: [],
      nodes,
    };
    const sent: Announcement = { op: "register", registry: r.registry, ttl: r.ttl, service };
    const got = decodeAnnouncement(encodeJson(sent), rules, greeter);
    check(same(got, sent), "announcement", sent, got);
  },
);

const templatesRead = fc.property(
  fc.array(
    fc.oneof(
      fc.string({ maxLength: 10 }),
      fc.constantFrom("{region}", "{order}", "{nope}", "{", "}", "{region", "*", ">", ""),
    ),
    { minLength: 1, maxLength: 5 },
  ),
  (tokens) => {
    decodes(() => new SubjectTemplate(tokens.join("."), OrderPlacedSchema));
  },
);

const templatesRoundTrip = fc.property(
  fc.array(fc.oneof(word, fc.constant("{region}")), { minLength: 1, maxLength: 5 }),
  word,
  (tokens, region) => {
    const template = new SubjectTemplate(tokens.join("."), OrderPlacedSchema);
    const subject = template.subjectFor(create(OrderPlacedSchema, { region }));
    const values = template.parse(subject);
    const expected = tokens.includes("{region}") ? { region } : {};
    check(same(values, expected), "subject tokens", { tokens, region }, values);
    // A value that would change the subject's shape is refused with the typed error.
    const bad = decodes(() =>
      template.subjectFor(create(OrderPlacedSchema, { region: `${region}.x` })),
    );
    check(bad === !tokens.includes("{region}"), "unsafe value refused", tokens, bad);
  },
);

export interface RunOptions {
  seed: number;
  numRuns: number;
}

const runner =
  <Ts extends unknown[]>(property: fc.IRawProperty<Ts>) =>
  (options: RunOptions): void => {
    void fc.assert(property, options);
  };

/** The properties by name, each checked with `fc.assert` and the given seed and runs. */
export const decoderProperties: Record<string, (options: RunOptions) => void> = {
  "frame decoder: any bytes decode or fail with RpcError (NATS messages and plain bytes)":
    runner(framesDecode),
  "frame codec: decodes what it encodes (NATS messages and plain bytes)": runner(framesRoundTrip),
  "compact stream frames: any bytes decode or fail with RpcError": runner(compactDecode),
  "compact stream frames: decode what the codec encodes (any seq and credit)":
    runner(compactRoundTrip),
  "compact calls: any bytes decode or fail with RpcError": runner(compactCallDecode),
  "compact calls: decode what the codec encodes (any method, timeout, body)":
    runner(compactCallRoundTrip),
  "header block: any bytes parse or fail with RpcError (only beyond the limit)":
    runner(headerBlocksDecode),
  "header block: parses what it builds": runner(headerBlocksRoundTrip),
  "registry records: any bytes decode or yield undefined": runner(registryDecode),
  "registry records: announcements decode as encoded": runner(announcementsRoundTrip),
  "subject templates: any template reads or fails with RpcError": runner(templatesRead),
  "subject templates: parse returns what subjectFor filled in": runner(templatesRoundTrip),
};

/** The CI run: fixed seed, few runs (`FUZZ_RUNS` overrides). */
export const ciRuns: RunOptions = {
  seed: 20_261_201,
  numRuns: Number(process.env.FUZZ_RUNS ?? 200),
};
