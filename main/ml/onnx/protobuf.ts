// Minimal protocol-buffers wire format: a writer for the messages the exporter emits and a reader strict enough
// to reject truncated or garbage input. Only varint (0), 64-bit (1), length-delimited (2) and 32-bit (5) wire
// types exist in proto3; groups (3, 4) are treated as corruption.

export class ProtoDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtoDecodeError';
  }
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Append-only byte sink; sub-messages are encoded separately and embedded with their length. */
export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private scratch = new Uint8Array(64);
  private used = 0;
  private total = 0;

  get length(): number {
    return this.total;
  }

  private flushScratch(): void {
    if (this.used > 0) {
      this.chunks.push(this.scratch.slice(0, this.used));
      this.used = 0;
    }
  }

  private byte(b: number): void {
    if (this.used === this.scratch.length) this.flushScratch();
    this.scratch[this.used++] = b;
    this.total++;
  }

  /** Unsigned or signed varint; negative numbers take ten bytes (two's complement int64), as protobuf mandates. */
  private varint(value: number | bigint): void {
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value)) throw new RangeError(`varint value ${value} is not a safe integer`);
      if (value >= 0 && value < 2 ** 31) {
        let v = value;
        while (v > 0x7f) {
          this.byte((v & 0x7f) | 0x80);
          v >>>= 7;
        }
        this.byte(v);
        return;
      }
      value = BigInt(value);
    }
    let v = BigInt.asUintN(64, value);
    while (v > 0x7fn) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  private raw(bytes: Uint8Array): void {
    if (bytes.length < 32) {
      for (const b of bytes) this.byte(b);
      return;
    }
    this.flushScratch();
    this.chunks.push(bytes);
    this.total += bytes.length;
  }

  int64(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
    return this;
  }

  float32(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.raw(b);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    this.varint(value.length);
    this.raw(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  message(field: number, inner: ProtoWriter): this {
    this.tag(field, WIRE_LEN);
    this.varint(inner.length);
    inner.flushScratch();
    for (const c of inner.chunks) this.raw(c);
    return this;
  }

  packedInt64(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    return this.packed(field, inner);
  }

  packedFloat32(field: number, values: readonly number[]): this {
    const b = new Uint8Array(values.length * 4);
    const dv = new DataView(b.buffer);
    values.forEach((v, i) => dv.setFloat32(i * 4, v, true));
    return this.bytes(field, b);
  }

  private packed(field: number, inner: ProtoWriter): this {
    return this.message(field, inner);
  }

  finish(): Uint8Array {
    this.flushScratch();
    const out = new Uint8Array(this.total);
    let off = 0;
    for (const c of this.chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }
}

/** One decoded field: varints as bigint, length-delimited payloads as sub-arrays (no copy). */
export type ProtoField =
  | { field: number; wire: 0; value: bigint }
  | { field: number; wire: 1; value: Uint8Array }
  | { field: number; wire: 2; value: Uint8Array }
  | { field: number; wire: 5; value: Uint8Array };

export class ProtoReader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  private varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new ProtoDecodeError('truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new ProtoDecodeError('varint longer than 10 bytes');
  }

  private take(n: number, what: string): Uint8Array {
    if (n < 0 || this.pos + n > this.buf.length) {
      throw new ProtoDecodeError(`truncated ${what}: needs ${n} bytes, ${this.buf.length - this.pos} left`);
    }
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Every field of the message, in order. */
  fields(): ProtoField[] {
    const out: ProtoField[] = [];
    while (this.pos < this.buf.length) {
      const key = this.varint();
      const field = Number(key >> 3n);
      const wire = Number(key & 7n);
      if (field === 0) throw new ProtoDecodeError('field number 0');
      switch (wire) {
        case WIRE_VARINT:
          out.push({ field, wire, value: this.varint() });
          break;
        case WIRE_FIXED64:
          out.push({ field, wire, value: this.take(8, 'fixed64') });
          break;
        case WIRE_LEN: {
          const len = this.varint();
          const left = this.buf.length - this.pos;
          if (len > BigInt(left))
            throw new ProtoDecodeError(`truncated field ${field}: needs ${len} bytes, ${left} left`);
          out.push({ field, wire, value: this.take(Number(len), `field ${field}`) });
          break;
        }
        case WIRE_FIXED32:
          out.push({ field, wire, value: this.take(4, 'fixed32') });
          break;
        default:
          throw new ProtoDecodeError(`unsupported wire type ${wire} for field ${field}`);
      }
    }
    return out;
  }

  /** Decodes a packed repeated varint payload. */
  static packedVarints(payload: Uint8Array): bigint[] {
    const r = new ProtoReader(payload);
    const out: bigint[] = [];
    while (r.pos < payload.length) out.push(r.varint());
    return out;
  }
}

export function decodeString(bytes: Uint8Array): string {
  try {
    return textDecoder.decode(bytes);
  } catch {
    throw new ProtoDecodeError('invalid UTF-8 in a string field');
  }
}

/** int64 as a JS number (two's complement). */
export function toInt64(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

export function decodeFloat32(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getFloat32(0, true);
}
