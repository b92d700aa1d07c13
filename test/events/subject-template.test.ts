import { create } from "@bufbuild/protobuf";
import { FieldDescriptorProto_Type, FieldDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { LineItemSchema, OrderPlacedSchema } from "../../generated/example/orders/v1/orders_pb.js";
import { Code } from "../../runtime/errors/code.js";
import { defineEvent } from "../../runtime/events/define-event.js";
import { defaultStreamName } from "../../runtime/events/stream-name.js";
import { SubjectTemplate } from "../../runtime/events/subject-template.js";

const invalidArgument = { code: Code.InvalidArgument };

describe("event subject templates", () => {
  const placed = new SubjectTemplate("orders.{region}.placed", OrderPlacedSchema);

  it("fills braced tokens from the message's fields", () => {
    expect(placed.subjectFor(create(OrderPlacedSchema, { region: "eu-west" }))).toBe(
      "orders.eu-west.placed",
    );
    const items = new SubjectTemplate("items.{sku}.{quantity}.{unit_price_cents}", LineItemSchema);
    expect(
      items.subjectFor(create(LineItemSchema, { sku: "A1", quantity: 3, unitPriceCents: 250n })),
    ).toBe("items.A1.3.250");
  });

  it("prints an enum field by its value name", () => {
    const t = new SubjectTemplate("fields.{name}.{type}", FieldDescriptorProtoSchema);
    const field = create(FieldDescriptorProtoSchema, {
      name: "id",
      type: FieldDescriptorProto_Type.STRING,
    });
    expect(t.subjectFor(field)).toBe("fields.id.TYPE_STRING");
  });

  it("rejects a field value that would change the subject's shape", () => {
    for (const region of ["", "eu.west", "*", ">", "eu west", "eu\tw", "a>b"]) {
      expect(() => placed.subjectFor(create(OrderPlacedSchema, { region }))).toThrow(
        expect.objectContaining(invalidArgument),
      );
    }
  });

  it("rejects at definition time a template that cannot work", () => {
    for (const subject of [
      "orders.{nope}.placed",
      "orders.{order}.placed",
      "orders.x{region}.placed",
      "orders..placed",
      "orders.*.placed",
      "orders.>",
      "",
    ]) {
      expect(() => defineEvent(OrderPlacedSchema, { subject })).toThrow(
        expect.objectContaining(invalidArgument),
      );
    }
  });

  it("builds subscription patterns: given tokens filled, the others *", () => {
    expect(placed.pattern()).toBe("orders.*.placed");
    expect(placed.pattern({ region: "eu" })).toBe("orders.eu.placed");
    expect(() => placed.pattern({ region: "e.u" })).toThrow(
      expect.objectContaining(invalidArgument),
    );
    expect(() => placed.pattern({ country: "fr" })).toThrow(
      expect.objectContaining(invalidArgument),
    );
  });

  it("reads the tokens back from a received subject", () => {
    expect(placed.parse("orders.eu.placed")).toEqual({ region: "eu" });
    expect(placed.parse("orders.eu.placed.extra")).toEqual({});
  });

  it("derives the default stream from the first literal token", () => {
    expect(defaultStreamName("orders.{region}.shipped")).toBe("ORDERS");
    expect(defaultStreamName("billing-v2.x")).toBe("BILLING-V2");
    expect(defaultStreamName("{tenant}.orders")).toBe("PN_EVENTS");
    expect(defineEvent(OrderPlacedSchema, { subject: "orders.{region}.placed" }).stream).toBe(
      "ORDERS",
    );
    expect(
      defineEvent(OrderPlacedSchema, { subject: "orders.{region}.placed", stream: "SALES" }).stream,
    ).toBe("SALES");
  });
});
