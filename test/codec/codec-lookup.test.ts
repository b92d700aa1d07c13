import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  codecOf,
  decodeBinary,
  encodeBinary,
  type MessageCodec,
  registerCodec,
} from "protonats/protocol";
import { describe, expect, it } from "vitest";
import { LineItemSchema, OrderPlacedSchema } from "../../generated/example/orders/v1/orders_pb.js";
import "../../generated/example/orders/v1/orders_nats.js";

// How the runtime finds a generated codec, and what it does when one cannot
// write a message.
describe("codec lookup", () => {
  it("importing a generated _nats module registers the codecs of its messages", () => {
    expect(codecOf(OrderPlacedSchema)).toBeDefined();
    expect(codecOf(LineItemSchema)).toBeDefined();
  });

  it("encodeBinary and decodeBinary go through the registered codec", () => {
    const real = codecOf(LineItemSchema)!;
    const calls = { encode: 0, decode: 0 };
    const counting: MessageCodec = {
      encode: (m, w) => {
        calls.encode++;
        real.encode(m, w);
      },
      decode: (r, end, depth, into) => {
        calls.decode++;
        return real.decode(r, end, depth, into);
      },
    };
    registerCodec(LineItemSchema, counting);
    try {
      const item = create(LineItemSchema, { sku: "a", quantity: 2, unitPriceCents: 5n });
      const bytes = encodeBinary(LineItemSchema, item);
      expect(bytes).toEqual(toBinary(LineItemSchema, item));
      expect(decodeBinary(LineItemSchema, bytes)).toEqual(fromBinary(LineItemSchema, bytes));
      // Nested messages are found the same way.
      encodeBinary(
        OrderPlacedSchema,
        create(OrderPlacedSchema, { order: { items: [item, item] } }),
      );
      expect(calls).toEqual({ encode: 3, decode: 1 });
    } finally {
      registerCodec(LineItemSchema, real);
    }
  });

  it("a value the codec cannot write gets protobuf-es's own error", () => {
    const bad = create(LineItemSchema, { sku: "a", quantity: 1.5 });
    expect(() => toBinary(LineItemSchema, bad)).toThrow("invalid uint32: 1.5");
    expect(() => encodeBinary(LineItemSchema, bad)).toThrow("invalid uint32: 1.5");
  });

  it("malformed bytes get protobuf-es's own error", () => {
    const truncated = toBinary(LineItemSchema, create(LineItemSchema, { sku: "abcdef" })).subarray(
      0,
      4,
    );
    expect(() => fromBinary(LineItemSchema, truncated)).toThrow();
    expect(() => decodeBinary(LineItemSchema, truncated)).toThrow(
      (() => {
        try {
          fromBinary(LineItemSchema, truncated);
        } catch (e) {
          return (e as Error).message;
        }
        return "";
      })(),
    );
  });
});
