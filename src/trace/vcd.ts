import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimContext } from '../components/component.js';
import { SIGNALS, type SignalRecord } from '../components/records.js';
import { FileSink, WHOLE_RUN, type TimeWindow, type TraceBudget } from './sink.js';

/** VCD identifier codes: printable ASCII 33..126, shortest first. */
function idCode(n: number): string {
  let s = '';
  let k = n;
  do {
    s += String.fromCharCode(33 + (k % 94));
    k = Math.floor(k / 94);
  } while (k > 0);
  return s;
}

/** A name VCD readers take as one identifier: `WWL[3]` -> `WWL_3`, `maap[12]` -> `maap_12`. */
const vcdName = (s: string): string => s.replace(/\[([^\]]*)\]/g, (_m, inner: string) => `_${inner.replace(/,/g, '_')}`).replace(/[^A-Za-z0-9_.$]/g, '_');

/** A real value as a plain decimal (no exponent, which some VCD readers cannot parse). */
function real(v: number): string {
  if (!Number.isFinite(v)) return '0';
  const text = v.toFixed(12).replace(/\.?0+$/, '');
  return text === '-0' ? '0' : text;
}

interface Variable {
  readonly scope: readonly string[];
  readonly name: string;
  /** One-bit status ('0'/'1'), or a line: a logic wire plus a real with its voltage. */
  readonly kind: 'bit' | 'line';
  readonly wire: string;
  readonly real?: string;
  last?: string;
}

/**
 * Writes signal level changes as an IEEE 1364 value change dump, `$timescale 1 ps`. Status
 * lines (busy, bank roles, power enables) are 1-bit wires; driven lines (WWL, RWL, BL, SL,
 * IN) are a wire (1 when above 0 V, 0 at 0 V, z when floating) and a real holding their
 * voltage. The header must name every variable before the first change, so the changes go
 * to a temporary file as they come and are appended to the header at the end: memory stays
 * bounded however long the run.
 */
export class VcdTrace {
  private readonly body: FileSink;
  private readonly bodyDir: string;
  private readonly bodyPath: string;
  private readonly out: FileSink;
  private readonly vars = new Map<string, Variable>();
  private time = -1;
  private primed = false;
  changes = 0;

  constructor(
    readonly path: string,
    private readonly title: string,
    private readonly window: TimeWindow = WHOLE_RUN,
    budget?: TraceBudget,
  ) {
    // The destination (its temporary) is opened first, so an unwritable one fails before
    // anything runs; the changes wait in a private temporary folder, and count against the
    // budget there (the header that goes before them is small).
    this.out = new FileSink(path);
    this.bodyDir = mkdtempSync(join(tmpdir(), 'spinarch-vcd-'));
    this.bodyPath = join(this.bodyDir, 'changes');
    this.body = new FileSink(this.bodyPath, budget, false);
  }

  attach(sim: SimContext): void {
    sim.bus.topic(SIGNALS).listen((s) => this.change(s));
  }

  private variable(s: SignalRecord): Variable {
    const key = `${s.component}\u0000${s.signal}`;
    let v = this.vars.get(key);
    if (v === undefined) {
      const parts = [...s.component.split('/'), ...s.signal.split('/')].map(vcdName);
      const kind = s.value === '0' || s.value === '1' ? 'bit' : 'line';
      const n = this.vars.size * 2;
      v = { scope: parts.slice(0, -1), name: parts[parts.length - 1]!, kind, wire: idCode(n), ...(kind === 'line' ? { real: idCode(n + 1) } : {}) };
      this.vars.set(key, v);
    }
    return v;
  }

  private encode(v: Variable, value: SignalRecord['value']): string {
    if (v.kind === 'bit') return `${value === '1' || (typeof value === 'number' && value > 0) ? '1' : value === 'z' ? 'z' : '0'}${v.wire}`;
    if (value === 'z') return `z${v.wire}`;
    const volts = value === '1' ? 1 : value === '0' ? 0 : value;
    return `${volts > 0 ? '1' : '0'}${v.wire}\nr${real(volts)} ${v.real!}`;
  }

  private change(s: SignalRecord): void {
    if (s.time > this.window.to) return;
    const v = this.variable(s);
    const text = this.encode(v, s.value);
    if (s.time < this.window.from) {
      // Before the window: remember the level, so the window opens with every line's state.
      v.last = text;
      return;
    }
    if (text === v.last) return;
    if (!this.primed) {
      this.primed = true;
      this.body.write(`#${this.window.from}\n$dumpvars\n`);
      for (const known of this.vars.values()) if (known.last !== undefined) this.body.write(`${known.last}\n`);
      this.body.write('$end\n');
      this.time = this.window.from;
    }
    if (s.time !== this.time) {
      this.body.write(`#${s.time}\n`);
      this.time = s.time;
    }
    this.body.write(`${text}\n`);
    v.last = text;
    this.changes++;
  }

  /** Writes the header, then the changes after it. */
  close(): void {
    const out = this.out;
    try {
      this.body.close();
      const head: string[] = ['$date spinarch $end', `$version spinarch: ${this.title} $end`, '$timescale 1 ps $end'];
      // Scopes as a tree, in the order variables were first seen.
      const tree = new Map<string, Variable[]>();
      for (const v of this.vars.values()) {
        const key = v.scope.join('\u0000');
        tree.set(key, [...(tree.get(key) ?? []), v]);
      }
      let open: string[] = [];
      for (const [key, vars] of [...tree].sort(([a], [b]) => a.localeCompare(b))) {
        const scope = key === '' ? [] : key.split('\u0000');
        let common = 0;
        while (common < open.length && common < scope.length && open[common] === scope[common]) common++;
        for (let i = open.length; i > common; i--) head.push('$upscope $end');
        for (let i = common; i < scope.length; i++) head.push(`$scope module ${scope[i]} $end`);
        open = scope;
        for (const v of vars) {
          head.push(`$var wire 1 ${v.wire} ${v.name} $end`);
          if (v.real !== undefined) head.push(`$var real 64 ${v.real} ${v.name}_V $end`);
        }
      }
      for (let i = open.length; i > 0; i--) head.push('$upscope $end');
      head.push('$enddefinitions $end', '');
      out.write(head.join('\n'));
      const src = openSync(this.bodyPath, 'r');
      try {
        const buf = Buffer.alloc(1 << 16);
        let n: number;
        while ((n = readSync(src, buf, 0, buf.length, null)) > 0) out.writeBytes(buf.subarray(0, n));
      } finally {
        closeSync(src);
      }
      out.close();
    } catch (error) {
      out.abort();
      throw error;
    } finally {
      rmSync(this.bodyDir, { recursive: true, force: true });
    }
  }

  /** Removes what was written; a file that was there before is left as it was. */
  abort(): void {
    this.body.abort();
    this.out.abort();
    rmSync(this.bodyDir, { recursive: true, force: true });
  }
}
