import { create, type DescField, type DescMessage, isMessage } from "@bufbuild/protobuf";
import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import { canFillToken, readSubjectToken } from "./subject-token.js";

/** One token of an event subject: fixed text, or filled from a field. */
type TemplateToken =
  | { readonly kind: "literal"; readonly text: string }
  | { readonly kind: "field"; readonly name: string; readonly field: DescField };

/** A value that would change the subject's shape: empty, or holding a separator or wildcard. */
const unsafeTokenValue = /^$|[.*>\s]/;

/**
 * An event subject template such as `orders.{region}.placed`: braced tokens
 * are filled from the message's fields (by proto field name), so publishers
 * get precise subjects and subscribers can filter with wildcards.
 */
export class SubjectTemplate {
  readonly #tokens: readonly TemplateToken[];
  /** Names of the field tokens, in subject order. */
  readonly fieldNames: readonly string[];
  /** `create(schema)`: what a field left out of an init object holds once created. */
  #zero: Record<string, unknown> | undefined;
  /** Token texts of the subject being built (building is synchronous: one array serves). */
  readonly #texts: string[] = [];
  /** The last subject built and its token texts. */
  #lastSubject: string | undefined;
  readonly #lastTexts: string[] = [];

  /** Parses and checks `template` against `schema`; throws `InvalidArgument` when it cannot work. */
  constructor(
    readonly template: string,
    readonly schema: DescMessage,
  ) {
    const invalid = (why: string) =>
      new RpcError(Code.InvalidArgument, `event ${schema.typeName}: subject "${template}" ${why}`);
    this.#tokens = template.split(".").map((text): TemplateToken => {
      const token = readSubjectToken(schema, text);
      if (token.kind === "unknown-field") {
        throw invalid(`names {${token.name}}, which is not a field of the message`);
      }
      if (token.kind === "field") {
        if (canFillToken(token.field)) return token;
        throw invalid(
          `uses field ${token.name}: only string, integer, bool and enum fields can fill a token`,
        );
      }
      if (token.kind === "stray-brace" || unsafeTokenValue.test(text)) {
        throw invalid(`has an invalid token "${text}"`);
      }
      return token;
    });
    this.fieldNames = this.#tokens.flatMap((t) => (t.kind === "field" ? [t.name] : []));
  }

  /** The concrete subject for a message; `InvalidArgument` when a field cannot be a token. */
  subjectFor(message: object): string {
    const texts = this.#texts;
    for (let i = 0; i < this.#tokens.length; i++) {
      const token = this.#tokens[i] as TemplateToken;
      texts[i] = token.kind === "literal" ? token.text : this.#fieldText(message, token);
    }
    return this.#subjectOf(texts);
  }

  /**
   * The subject for an init object, the same as `subjectFor(create(schema, init))`
   * without making the message: a field left out (or null) reads as `create`
   * leaves it, its default, so a token of a field without one still fails.
   */
  subjectForInit(init: object): string {
    if (isMessage(init, this.schema)) return this.subjectFor(init);
    this.#zero ??= create(this.schema) as Record<string, unknown>;
    const zero = this.#zero;
    const record = init as Record<string, unknown>;
    const texts = this.#texts;
    for (let i = 0; i < this.#tokens.length; i++) {
      const token = this.#tokens[i] as TemplateToken;
      if (token.kind === "literal") texts[i] = token.text;
      else {
        // create() skips a member that is null or undefined; a oneof then has no case.
        const member = token.field.oneof?.localName ?? token.field.localName;
        texts[i] = this.#fieldText(record[member] == null ? zero : record, token);
      }
    }
    return this.#subjectOf(texts);
  }

  /**
   * The subject made of `texts` (one per token), each field's checked. The
   * last one is kept: a publisher repeats a few subjects, and comparing the
   * texts costs less than checking and joining them again, and hands the
   * broker the same string, which it compares at once with the last it checked.
   */
  #subjectOf(texts: string[]): string {
    const last = this.#lastTexts;
    if (this.#lastSubject !== undefined) {
      let same = true;
      for (let i = 0; i < texts.length && same; i++) same = texts[i] === last[i];
      if (same) return this.#lastSubject;
    }
    // Every field checked before the last subject changes: a refused text must not become it.
    for (let i = 0; i < this.#tokens.length; i++) {
      const token = this.#tokens[i] as TemplateToken;
      if (token.kind === "field") this.#checked(token.name, texts[i] as string);
    }
    let subject = "";
    for (let i = 0; i < texts.length; i++) {
      const text = texts[i] as string;
      subject = i === 0 ? text : `${subject}.${text}`;
      last[i] = text;
    }
    this.#lastSubject = subject;
    return subject;
  }

  /**
   * The subscription pattern: given tokens filled in, the others `*`.
   * `pattern({ region: "eu" })` on `orders.{region}.placed` is `orders.eu.placed`.
   */
  pattern(tokens: Partial<Record<string, string>> = {}): string {
    for (const name of Object.keys(tokens)) {
      if (tokens[name] !== undefined && !this.fieldNames.includes(name)) {
        throw new RpcError(
          Code.InvalidArgument,
          `event ${this.schema.typeName}: subject "${this.template}" has no token {${name}}`,
        );
      }
    }
    return this.#tokens
      .map((token) => {
        if (token.kind === "literal") return token.text;
        const value = tokens[token.name];
        if (value === undefined) return "*";
        return this.#checked(token.name, value);
      })
      .join(".");
  }

  /** Field tokens of a received subject, by name. Empty when the subject has another shape. */
  parse(subject: string): Record<string, string> {
    const parts = subject.split(".");
    const values: Record<string, string> = {};
    if (parts.length !== this.#tokens.length) return values;
    this.#tokens.forEach((token, i) => {
      if (token.kind === "field") values[token.name] = parts[i] ?? "";
    });
    return values;
  }

  /** A field's token text, not yet checked. */
  #fieldText(message: object, token: TemplateToken & { kind: "field" }): string {
    const { field } = token;
    const record = message as Record<string, unknown>;
    let value: unknown;
    if (field.oneof) {
      const selected = record[field.oneof.localName] as
        | { case?: string; value?: unknown }
        | undefined;
      value = selected?.case === field.localName ? selected.value : undefined;
    } else {
      value = record[field.localName];
    }
    let text: string;
    if (field.fieldKind === "enum" && typeof value === "number") {
      text = field.enum.values.find((v) => v.number === value)?.name ?? String(value);
    } else {
      text = value === undefined ? "" : String(value);
    }
    return text;
  }

  #checked(name: string, value: string): string {
    if (unsafeTokenValue.test(value)) {
      throw new RpcError(
        Code.InvalidArgument,
        `event ${this.schema.typeName}: {${name}} = ${JSON.stringify(value)} cannot be a subject token (empty, or containing ".", "*", ">" or whitespace)`,
      );
    }
    return value;
  }
}
