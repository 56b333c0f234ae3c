/**
 * Protocol-buffer wire format written straight into one reused byte buffer: varints, doubles,
 * strings and nested messages, nothing allocated per field (a general encoder builds an
 * object per field, which at a million events a trace is most of the time spent).
 *
 * A nested message reserves one byte for its length and moves its body along when the length
 * needs more (bodies over 127 bytes are rare here: a packet of interned strings).
 */
export class ProtoWriter {
  private buf = Buffer.allocUnsafe(1 << 18);
  pos = 0;
  private readonly starts = new Int32Array(16);
  private depth = 0;

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  /** A non-negative integer below 2^53 as a varint. */
  varint(v: number): void {
    this.room(10);
    const b = this.buf;
    let p = this.pos;
    while (v >= 0x80) {
      b[p++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    b[p++] = v;
    this.pos = p;
  }

  /** A field's key: its number and wire type (0 varint, 1 64-bit, 2 length-delimited). */
  key(field: number, wire: 0 | 1 | 2): void {
    this.varint(field * 8 + wire);
  }

  uint(field: number, v: number): void {
    this.key(field, 0);
    this.varint(v);
  }

  /** An int64 (two's complement: a negative value takes ten bytes). */
  int(field: number, v: number): void {
    this.key(field, 0);
    if (v >= 0) {
      this.varint(v);
      return;
    }
    // The 64-bit two's complement of a safe negative integer, as two 32-bit halves.
    let lo = v % 0x1_0000_0000 >>> 0;
    let hi = Math.floor(v / 0x1_0000_0000) >>> 0;
    this.room(10);
    for (let i = 0; i < 9; i++) {
      this.buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo = (lo >>> 7) | ((hi & 0x7f) << 25);
      hi >>>= 7;
    }
    this.buf[this.pos++] = lo & 0x01;
  }

  bool(field: number, v: boolean): void {
    this.uint(field, v ? 1 : 0);
  }

  double(field: number, v: number): void {
    this.key(field, 1);
    this.room(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  string(field: number, s: string): void {
    const n = Buffer.byteLength(s);
    this.key(field, 2);
    this.varint(n);
    this.room(n);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** Starts a nested message in `field`; `end` closes it. */
  begin(field: number): void {
    this.key(field, 2);
    this.room(1);
    this.starts[this.depth++] = this.pos++;
  }

  end(): void {
    const start = this.starts[--this.depth]!;
    const length = this.pos - start - 1;
    if (length < 0x80) {
      this.buf[start] = length;
      return;
    }
    let extra = 0;
    for (let l = length; l >= 0x80; l = Math.floor(l / 0x80)) extra++;
    this.room(extra);
    this.buf.copy(this.buf, start + 1 + extra, start + 1, this.pos);
    const at = this.pos;
    this.pos = start;
    this.varint(length);
    this.pos = at + extra;
  }

  /** The bytes written since the last `clear` (a view: valid until the next write). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  clear(): void {
    this.pos = 0;
  }
}
