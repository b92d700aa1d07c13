import { describe, expect, it } from "vitest";
import {
  isConcreteSubject,
  isValidSubject,
  subjectCovers,
  subjectMatches,
  withNamespace,
  withoutNamespace,
} from "../../runtime/broker/subjects.js";

describe("subject rules", () => {
  it("matches * to exactly one token and > to one or more trailing tokens", () => {
    expect(subjectMatches("orders.*.placed", "orders.eu.placed")).toBe(true);
    expect(subjectMatches("orders.*.placed", "orders.eu.x.placed")).toBe(false);
    expect(subjectMatches("orders.>", "orders.eu.placed")).toBe(true);
    expect(subjectMatches("orders.>", "orders")).toBe(false);
    expect(subjectMatches(">", "a")).toBe(true);
    expect(subjectMatches("orders.eu", "orders.eu")).toBe(true);
    expect(subjectMatches("orders.eu", "orders.us")).toBe(false);
    expect(subjectMatches("orders.eu", "orders.eu.placed")).toBe(false);
  });

  it("tells when a stream subject covers a pattern", () => {
    expect(subjectCovers("orders.>", "orders.*.shipped")).toBe(true);
    expect(subjectCovers("orders.*.shipped", "orders.*.shipped")).toBe(true);
    expect(subjectCovers("orders.*.*", "orders.*.shipped")).toBe(true);
    expect(subjectCovers("orders.eu.shipped", "orders.*.shipped")).toBe(false);
    expect(subjectCovers("orders.*", "orders.>")).toBe(false);
    expect(subjectCovers("orders.>", "orders.>")).toBe(true);
  });

  it("accepts well-formed subjects and rejects malformed ones", () => {
    for (const ok of ["a", "a.b", "a.*", "a.>", "*.b", ">", "a-b_c.D9", "$SRV.PING"]) {
      expect(isValidSubject(ok), ok).toBe(true);
    }
    for (const bad of [
      "",
      ".",
      "a.",
      ".a",
      "a..b",
      "a b",
      "a\tb",
      "a.b*",
      "a.*b",
      "a.>.b",
      "a>",
      "a\nb",
    ]) {
      expect(isValidSubject(bad), JSON.stringify(bad)).toBe(false);
    }
    expect(isConcreteSubject("a.b")).toBe(true);
    for (const wild of ["a.*", "a.>", "*", ">"]) expect(isConcreteSubject(wild), wild).toBe(false);
  });

  it("adds and removes the namespace prefix", () => {
    expect(withNamespace(undefined, "a.b")).toBe("a.b");
    expect(withNamespace("stage", "a.b")).toBe("stage.a.b");
    expect(withoutNamespace("stage", "stage.a.b")).toBe("a.b");
    expect(withoutNamespace("stage", "prod.a.b")).toBe("prod.a.b");
  });
});
