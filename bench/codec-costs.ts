/**
 * Encode and decode cost per message, generated codecs (protoc-gen-nats)
 * beside protobuf-es reflection, in one process without I/O. Messages of
 * ~100 B and ~10 KB: `SayHelloRequest` (one string, as the bench's unary
 * calls carry) and `OrderPlaced` (an event with a nested order, line items,
 * a 64-bit integer and a timestamp).
 *
 *   npx tsx bench/codec-costs.ts [iterations, default 200000]
 */
import {
  create,
  type DescMessage,
  fromBinary,
  type MessageShape,
  toBinary,
} from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { decodeBinary, encodeBinary, encodeInit } from "protonats/protocol";
import { SayHelloRequestSchema } from "../generated/example/greeter/v1/greeter_pb.js";
import "../generated/example/greeter/v1/greeter_nats.js";
import { OrderPlacedSchema } from "../generated/example/orders/v1/orders_pb.js";
import "../generated/example/orders/v1/orders_nats.js";

const iterations = Number(process.argv[2] ?? 200_000);
let sink = 0;

/** Median ns per call over 5 rounds (the machine is shared). */
function ns(fn: () => { length?: number; $typeName?: string }, n: number): number {
  for (let i = 0; i < n / 10; i++) fn();
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n / 5; i++) sink += fn().length ?? 1;
    rounds.push(Number(process.hrtime.bigint() - t0) / (n / 5));
  }
  return rounds.sort((a, b) => a - b)[2]!;
}

function order(items: number): MessageShape<typeof OrderPlacedSchema> {
  return create(OrderPlacedSchema, {
    order: {
      id: "ord-1",
      customer: "c-42",
      region: "eu",
      totalCents: 123_456n,
      placedAt: timestampFromMs(1_764_547_200_000),
      items: Array.from({ length: items }, (_, i) => ({
        sku: `sku-${i}`,
        quantity: i + 1,
        unitPriceCents: BigInt(100 + i),
      })),
    },
    region: "eu",
  });
}

const cases: [string, DescMessage, MessageShape<DescMessage>][] = [
  [
    "SayHelloRequest 100 B",
    SayHelloRequestSchema,
    create(SayHelloRequestSchema, { name: "x".repeat(97) }),
  ],
  [
    "SayHelloRequest 10 KB",
    SayHelloRequestSchema,
    create(SayHelloRequestSchema, { name: "x".repeat(10_237) }),
  ],
  ["OrderPlaced ~100 B", OrderPlacedSchema, order(2)],
  ["OrderPlaced ~10 KB", OrderPlacedSchema, order(600)],
];

console.log(
  "| message | bytes | encode: protobuf-es | generated | decode: protobuf-es | generated |",
);
console.log("|---|---|---|---|---|---|");
for (const [name, schema, message] of cases) {
  const bytes = toBinary(schema, message);
  const n = bytes.length > 1000 ? Math.max(1000, iterations / 20) : iterations;
  const row = [
    ns(() => toBinary(schema, message), n),
    ns(() => encodeBinary(schema, message), n),
    ns(() => fromBinary(schema, bytes), n),
    ns(() => decodeBinary(schema, bytes), n),
  ].map((v) => `${v.toFixed(0)} ns`);
  console.log(`| ${name} | ${bytes.length} | ${row.join(" | ")} |`);
}

// Encoding from an init object, as a typed publish gets it: create() then
// encode, against the generated encoder reading the init object directly.
const init = {
  region: "eu",
  order: { id: "1", customer: "x".repeat(100), region: "eu", items: [{ sku: "a", quantity: 2 }] },
};
console.log("");
console.log("| init object | toBinary(create) | encodeBinary(create) | encodeInit |");
console.log("|---|---|---|---|");
const initRow = [
  ns(() => toBinary(OrderPlacedSchema, create(OrderPlacedSchema, init)), iterations),
  ns(() => encodeBinary(OrderPlacedSchema, create(OrderPlacedSchema, init)), iterations),
  ns(() => encodeInit(OrderPlacedSchema, init), iterations),
].map((v) => `${v.toFixed(0)} ns`);
console.log(`| OrderPlaced (event bench) | ${initRow.join(" | ")} |`);
if (sink === 0) console.log("");
