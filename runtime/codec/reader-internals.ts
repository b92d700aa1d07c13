import { BinaryReader } from "@bufbuild/protobuf/wire";

/*
 * The one place that reads protobuf-es internals: the fields of its
 * `BinaryReader` (protected there) that let a string be read from the
 * reader's bytes in place, without the `subarray` protobuf-es takes of every
 * string (and its `TextDecoder` call for short ASCII ones). A self-check at
 * load decides whether the fields are where expected; if not, or when
 * `setReaderInternals(false)`, readers use protobuf-es's public path.
 */

const lenientUtf8 = new TextDecoder();
let strictUtf8: InstanceType<typeof TextDecoder> | undefined;

/**
 * UTF-8 to text for the generated decoders' reader, as protobuf-es's own
 * (`strict`: invalid UTF-8 throws). Short ASCII strings (ids, names, enum-like
 * tokens: most strings of a message) are built from their bytes, which are
 * their characters, without a `TextDecoder` call and its fixed cost.
 */
export function decodeUtf8(bytes: Uint8Array, strict?: boolean): string {
  const n = bytes.length;
  if (n <= shortString) {
    let text = "";
    let i = 0;
    for (; i < n; i++) {
      const c = bytes[i] as number;
      if (c >= 0x80) break;
      text += String.fromCharCode(c);
    }
    if (i === n) return text;
  }
  if (!strict) return lenientUtf8.decode(bytes);
  strictUtf8 ??= new TextDecoder("utf-8", { fatal: true });
  return strictUtf8.decode(bytes);
}

/** Longest string built character by character; beyond, `TextDecoder` is cheaper. */
const shortString = 16;

/** The fields of protobuf-es's `BinaryReader` that `readString` reads (protected or private there). */
interface ReaderState {
  readonly buf: Uint8Array;
  readonly len: number;
  pos: number;
  uint32(): number;
}

/**
 * `BinaryReader.string` without the `subarray` it takes of every string:
 * short ones are read from the reader's bytes in place. Installed only when
 * the reader has the fields it reads (see `reader`).
 */
function readString(this: BinaryReader, strict?: boolean): string {
  const state = this as unknown as ReaderState;
  const length = state.uint32();
  const start = state.pos;
  const end = start + length;
  if (end > state.len) throw new RangeError("premature EOF");
  const buf = state.buf;
  if (length <= shortString) {
    let text = "";
    let i = start;
    for (; i < end; i++) {
      const c = buf[i] as number;
      if (c >= 0x80) break;
      text += String.fromCharCode(c);
    }
    if (i === end) {
      state.pos = end;
      return text;
    }
  }
  state.pos = end;
  return decodeUtf8(buf.subarray(start, end), strict);
}

/** Whether protobuf-es's reader keeps its bytes and position where `readString` looks. */
const readerFieldsAsExpected = (() => {
  const bytes = new Uint8Array([2, 0x61, 0x62]);
  const probe = new BinaryReader(bytes) as unknown as ReaderState;
  return probe.buf === bytes && probe.len === 3 && probe.pos === 0 && probe.uint32() === 2;
})();

let inPlaceStrings = readerFieldsAsExpected;

/**
 * Turns reading strings in place off (`false`: protobuf-es's own
 * `BinaryReader.string`, through public API only) or back on where the
 * reader's fields are as expected. For tests of the fallback.
 */
export function setReaderInternals(on: boolean): void {
  inPlaceStrings = on && readerFieldsAsExpected;
}

/** A reader for the generated decoders. */
export function reader(bytes: Uint8Array): BinaryReader {
  const r = new BinaryReader(bytes, decodeUtf8);
  if (inPlaceStrings) r.string = readString;
  return r;
}
