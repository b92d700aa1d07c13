import { protoInt64 } from "@bufbuild/protobuf";

// Limits protobuf-es's BinaryWriter checks; a value outside them makes the
// generated encoder throw, and `encodeBinary` then leaves the message to
// `toBinary`, which refuses it with its own error.
const FLOAT32_MAX = 3.4028234663852886e38;

const encoder = new TextEncoder();

const slabSize = 64 * 1024;
/** Larger results get their own buffer: they would waste the rest of a slab. */
const sharedMax = 4 * 1024;
let slab = new Uint8Array(slabSize);
let slabPos = 0;

function invalid(type: string, value: unknown): Error {
  return new Error(`invalid ${type}: ${String(value)}`);
}

function varintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

/**
 * The writer of generated encoders: the same bytes as protobuf-es's
 * `BinaryWriter` (varints are canonical, strings UTF-8 as `TextEncoder`
 * makes them), written into one growing buffer. A nested message reserves
 * one byte for its length and moves its bytes when the length needs more,
 * where `BinaryWriter` copies every nested message into a new array.
 */
export class CodecWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private pos = 0;
  private readonly forks: number[] = [];

  /** Makes room for `n` more bytes. */
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** Starts over, keeping the buffer unless it grew large. */
  reset(): void {
    this.pos = 0;
    this.forks.length = 0;
    if (this.buf.length > 1 << 20) {
      this.buf = new Uint8Array(256);
      this.view = new DataView(this.buf.buffer);
    }
  }

  /** A copy of what was written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /**
   * A copy of what was written that may share its `ArrayBuffer` with other
   * results of this method (a view into a 64 KiB slab), like Node's pooled
   * `Buffer`s. For bytes handed straight to a connection that copies them
   * (an event publish): a small `slice` costs a backing store of its own,
   * which was the largest single cost of a typed publish. Slabs are never
   * reused, so a view stays valid as long as it is held.
   */
  finishShared(): Uint8Array {
    const n = this.pos;
    if (n > sharedMax) return this.buf.slice(0, n);
    if (slabPos + n > slab.length) {
      slab = new Uint8Array(slabSize);
      slabPos = 0;
    }
    const out = slab.subarray(slabPos, slabPos + n);
    out.set(this.buf.subarray(0, n));
    // 8-byte alignment, as Node's pool keeps.
    slabPos = (slabPos + n + 7) & ~7;
    return out;
  }

  private varint32(value: number): void {
    this.ensure(5);
    const buf = this.buf;
    while (value > 0x7f) {
      buf[this.pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    buf[this.pos++] = value;
  }

  private varint64(lo: number, hi: number): void {
    this.ensure(10);
    const buf = this.buf;
    lo >>>= 0;
    hi >>>= 0;
    while (hi !== 0) {
      buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    while (lo > 0x7f) {
      buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo >>>= 7;
    }
    buf[this.pos++] = lo;
  }

  tag(fieldNo: number, wireType: number): this {
    this.varint32(((fieldNo << 3) | wireType) >>> 0);
    return this;
  }

  /** Starts a length-delimited part (a nested message); `join` ends it. */
  fork(): this {
    this.ensure(1);
    this.forks.push(this.pos++);
    return this;
  }

  join(): this {
    const start = this.forks.pop();
    if (start === undefined) throw new Error("invalid state, fork stack empty");
    this.placeLength(start, 1, this.pos - start - 1);
    return this;
  }

  /** Writes `length` as a varint at `start`, where `reserved` bytes were kept for it. */
  private placeLength(start: number, reserved: number, length: number): void {
    const size = varintSize(length);
    if (size !== reserved) {
      this.ensure(size - reserved);
      this.buf.copyWithin(start + size, start + reserved, start + reserved + length);
    }
    let p = start;
    let value = length;
    while (value > 0x7f) {
      this.buf[p++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    this.buf[p] = value;
    this.pos = start + size + length;
  }

  raw(chunk: Uint8Array): this {
    this.ensure(chunk.length);
    this.buf.set(chunk, this.pos);
    this.pos += chunk.length;
    return this;
  }

  bytes(value: Uint8Array): this {
    if (!(value instanceof Uint8Array)) throw invalid("bytes", value);
    this.varint32(value.length);
    return this.raw(value);
  }

  string(value: string): this {
    if (typeof value !== "string") throw invalid("string", value);
    const n = value.length;
    const reserved = varintSize(n * 3);
    this.ensure(reserved + n * 3);
    const start = this.pos;
    const buf = this.buf;
    let p = start + reserved;
    // Short strings are mostly ASCII, copied faster than encodeInto is called.
    let i = 0;
    if (n <= 64) {
      for (; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0x80) break;
        buf[p++] = c;
      }
    }
    if (i < n) p += encoder.encodeInto(value.substring(i), buf.subarray(p)).written;
    this.placeLength(start, reserved, p - start - reserved);
    return this;
  }

  bool(value: boolean): this {
    this.ensure(1);
    this.buf[this.pos++] = value ? 1 : 0;
    return this;
  }

  uint32(value: number): this {
    if (value !== value >>> 0) throw invalid("uint32", value);
    this.varint32(value);
    return this;
  }

  int32(value: number): this {
    if (value !== (value | 0)) throw invalid("int32", value);
    if (value >= 0) this.varint32(value);
    else this.varint64(value, -1);
    return this;
  }

  sint32(value: number): this {
    if (value !== (value | 0)) throw invalid("int32", value);
    this.varint32(((value << 1) ^ (value >> 31)) >>> 0);
    return this;
  }

  fixed32(value: number): this {
    if (value !== value >>> 0) throw invalid("uint32", value);
    this.ensure(4);
    this.view.setUint32(this.pos, value, true);
    this.pos += 4;
    return this;
  }

  sfixed32(value: number): this {
    if (value !== (value | 0)) throw invalid("int32", value);
    this.ensure(4);
    this.view.setInt32(this.pos, value, true);
    this.pos += 4;
    return this;
  }

  float(value: number): this {
    if (typeof value !== "number" || (Number.isFinite(value) && Math.abs(value) > FLOAT32_MAX)) {
      throw invalid("float32", value);
    }
    this.ensure(4);
    this.view.setFloat32(this.pos, value, true);
    this.pos += 4;
    return this;
  }

  double(value: number): this {
    if (typeof value !== "number") throw invalid("double", value);
    this.ensure(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
    return this;
  }

  int64(value: bigint | string | number): this {
    const { lo, hi } = protoInt64.enc(value);
    this.varint64(lo, hi);
    return this;
  }

  uint64(value: bigint | string | number): this {
    const { lo, hi } = protoInt64.uEnc(value);
    this.varint64(lo, hi);
    return this;
  }

  sint64(value: bigint | string | number): this {
    const { lo, hi } = protoInt64.enc(value);
    const sign = hi >> 31;
    this.varint64((lo << 1) ^ sign, ((hi << 1) | (lo >>> 31)) ^ sign);
    return this;
  }

  fixed64(value: bigint | string | number): this {
    return this.fixed64Parts(protoInt64.uEnc(value));
  }

  sfixed64(value: bigint | string | number): this {
    return this.fixed64Parts(protoInt64.enc(value));
  }

  private fixed64Parts({ lo, hi }: { lo: number; hi: number }): this {
    this.ensure(8);
    this.view.setInt32(this.pos, lo, true);
    this.view.setInt32(this.pos + 4, hi, true);
    this.pos += 8;
    return this;
  }
}
