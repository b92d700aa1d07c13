import { create, type DescMessage } from "@bufbuild/protobuf";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { OrderPlacedSchema } from "../../generated/example/orders/v1/orders_pb.js";
import { SubjectTemplate } from "../../runtime/events/subject-template.js";
import { canFillToken } from "../../runtime/events/subject-token.js";
import { arbitraryInit } from "../codec/arbitrary-init.js";
import { covered, loadGoldenSchemas } from "../codec/golden-schemas.js";

// A typed publish fills the subject from the init object it is given, not
// from create()'s message: the same subject, or the same refusal, for any
// init object (fields left out read as their defaults, proto2 ones too).

let schemas: Map<string, DescMessage>;
beforeAll(async () => {
  schemas = await loadGoldenSchemas();
});

function outcome(fn: () => string): string {
  try {
    return `subject ${fn()}`;
  } catch (e) {
    return `error ${(e as Error).message}`;
  }
}

describe("subject of an init object", () => {
  it("is the subject of create(init), or the same error", () => {
    let templates = 0;
    for (const name of covered) {
      const schema = schemas.get(name)!;
      const tokens = schema.fields.filter(canFillToken).map((f) => `{${f.name}}`);
      if (tokens.length === 0) continue;
      templates++;
      const template = new SubjectTemplate(`t.${tokens.join(".")}`, schema);
      fc.assert(
        fc.property(arbitraryInit(schema, 1, true), (init) => {
          expect(outcome(() => template.subjectForInit(init))).toBe(
            outcome(() => template.subjectFor(create(schema, init))),
          );
        }),
        { seed: 20261201, numRuns: 200 },
      );
    }
    expect(templates).toBeGreaterThan(5);
  });

  it("reads a proto2 default for a field left out, and a complete message as it is", () => {
    const legacy = schemas.get("codec.v1.Legacy")!;
    const template = new SubjectTemplate("l.{count}.{mood}", legacy);
    expect(template.subjectForInit({})).toBe("l.7.MOOD_ANGRY");
    expect(template.subjectForInit({ count: null, mood: undefined })).toBe("l.7.MOOD_ANGRY");
    const placed = new SubjectTemplate("orders.{region}.placed", OrderPlacedSchema);
    expect(placed.subjectForInit(create(OrderPlacedSchema, { region: "eu" }))).toBe(
      "orders.eu.placed",
    );
    expect(() => placed.subjectForInit({})).toThrow("cannot be a subject token");
  });

  it("is right after any sequence of subjects, refused ones included (the last subject is reused)", () => {
    const reused = new SubjectTemplate("orders.{region}.placed", OrderPlacedSchema);
    const regions = ["eu", "eu", "us", "", "us", "eu.west", "eu", "*", "*", "eu", "us", "us"];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...regions), { maxLength: 30 }), (sequence) => {
        for (const region of sequence) {
          const fresh = new SubjectTemplate("orders.{region}.placed", OrderPlacedSchema);
          expect(outcome(() => reused.subjectForInit({ region }))).toBe(
            outcome(() => fresh.subjectForInit({ region })),
          );
          expect(outcome(() => reused.subjectFor(create(OrderPlacedSchema, { region })))).toBe(
            outcome(() => fresh.subjectForInit({ region })),
          );
        }
      }),
      { seed: 20261201, numRuns: 200 },
    );
  });
});
