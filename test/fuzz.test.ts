/**
 * A fuzzer of scenario files and --set arguments. It mutates the bundled scenarios (a value
 * replaced by a random string, number, unit or structure; a key deleted, duplicated or
 * renamed; a type changed; deep nesting; aliases), runs each through the CLI in-process (load,
 * validate, build, run one image) and asserts the outcome is a success or a scenario error
 * with a file and a key path: never another exception, never a hang.
 *
 * CI runs FUZZ_RUNS (default 200) cases from a fixed seed; `npm run fuzz` runs many thousands
 * from a random seed, and fast-check prints the seed and path of any failure to replay it
 * (FUZZ_SEED=<seed> FUZZ_PATH=<path> npm run fuzz).
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Document, isMap, isScalar, isSeq, parseDocument, type Node, type Pair } from 'yaml';
import { cli, tempFiles } from './helpers.js';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 200);
const SEED = process.env['FUZZ_SEED'] === 'random' ? Date.now() % 2 ** 31 : Number(process.env['FUZZ_SEED'] ?? 20261124);
const PATH = process.env['FUZZ_PATH'];
/** A hang guard, not a speed measure: a case that runs longer than this is a failure. */
const CASE_LIMIT_MS = Number(process.env['FUZZ_CASE_LIMIT_MS'] ?? 20_000);

const dir = path.resolve('scenarios');
/** The bundled scenarios, their relative paths made absolute so a copy elsewhere still finds its base and weights. */
const bases = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => {
    const doc = parseDocument(readFileSync(path.join(dir, f), 'utf8'));
    const ext = doc.get('extends');
    if (typeof ext === 'string') doc.set('extends', path.join(dir, ext));
    const w = doc.getIn(['weights', 'file']);
    if (typeof w === 'string') doc.setIn(['weights', 'file'], path.join(dir, w));
    return { name: f, text: doc.toString() };
  });

/** Every path to a node of the document (keys and list indices). */
function paths(node: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (isMap(node)) {
    for (const pair of node.items as Pair<unknown, unknown>[]) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const p = [...at, key];
      out.push(p);
      paths(pair.value, p, out);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const p = [...at, i];
      out.push(p);
      paths(item, p, out);
    });
  }
  return out;
}

const units = ['ps', 'ns', 'us', 's', 'fJ', 'J', 'uW', 'V', 'mV', 'uA', 'A', 'kOhm', 'Ohm', 'fF', 'nm', 'nm^2', 'K', 'J/m^3', 'MA/m', '1/A', 'Ohm um^2', 'mOhm cm', 'GHz', 'pF', 'furlongs', ''];
const numbers = fc.oneof(
  fc.integer({ min: -5, max: 70 }),
  fc.double({ noNaN: false }),
  fc.constantFrom(0, -0, 1e300, -1e300, 1e-300, Number.MAX_SAFE_INTEGER, 2 ** 53 + 1, 0.5, 1.5, 65_536, 4096),
);
/** A value to put where another was. */
const values: fc.Arbitrary<unknown> = fc.oneof(
  numbers,
  fc.string({ maxLength: 12 }),
  fc.tuple(numbers, fc.constantFrom(...units)).map(([n, u]) => `${n} ${u}`),
  fc.constantFrom(null, true, false, '', '.nan', '.inf', '__proto__', '1e400 V', '-3 ns', 'NaN ps', '   ', '\u0000'),
  fc.array(numbers, { maxLength: 4 }),
  fc.dictionary(fc.constantFrom('mean', 'sigma', 'type', 'x', 'kernel', 'file', '__proto__', 'constructor'), numbers, { maxKeys: 3 }),
  fc.constant(Array.from({ length: 3 }, () => ({ type: 'dense', outputs: 3 }))),
);
const keys = fc.oneof(fc.string({ minLength: 1, maxLength: 10 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'design', 'seed', 'params', 'weights', 'network', 'extends', 'stage_delay', 'bits', 'mtjs'));

/** One mutation of a document, given random draws. */
type Mutation = { kind: 'scale' | 'replace' | 'delete' | 'duplicate' | 'rename' | 'nest' | 'alias' | 'retype'; at: number; value: unknown; key: string; depth: number; factor: number };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  // 'scale' keeps a value's type and unit and changes its size: scenarios that are valid but unusual.
  kind: fc.constantFrom('scale', 'scale', 'scale', 'scale', 'replace', 'replace', 'delete', 'duplicate', 'rename', 'nest', 'alias', 'retype'),
  at: fc.nat(),
  value: values,
  key: keys,
  depth: fc.integer({ min: 1, max: 400 }),
  factor: fc.constantFrom(0.01, 0.1, 0.5, 0.9, 1.1, 2, 3, 10, 100, 0, -1),
});

function mutate(text: string, muts: readonly Mutation[]): string {
  let good = text;
  for (const m of muts) {
    // Each mutation starts from the last printable text; one that leaves the document unprintable is skipped.
    const doc = parseDocument(good);
    try {
      apply(doc, m);
      good = doc.toString();
    } catch {
      // (an alias to an anchor a later edit removed, and the like)
    }
  }
  return good;
}

function apply(doc: Document.Parsed, m: Mutation): void {
  {
    const all = paths(doc.contents);
    if (all.length === 0) return;
    const p = all[m.at % all.length]!;
    const parent = p.slice(0, -1);
    const last = p[p.length - 1]!;
    switch (m.kind) {
      case 'scale': {
        // Among the scalar values only, so that it changes something.
        const leaves = all.filter((q) => isScalar(doc.getIn(q, true)));
        const at = leaves[m.at % Math.max(1, leaves.length)];
        if (at === undefined) break;
        const v = doc.getIn(at);
        const set = (x: unknown): void => doc.setIn(at, x);
        const unit = typeof v === 'string' ? /^\s*([-+]?[\d.]+(?:e[-+]?\d+)?)\s*(.*)$/i.exec(v) : null;
        if (typeof v === 'number') set(Number.isInteger(v) ? Math.round(v * m.factor) : v * m.factor);
        else if (unit !== null) set(`${Number(unit[1]) * m.factor} ${unit[2]}`);
        break;
      }
      case 'replace':
        doc.setIn(p, doc.createNode(m.value));
        break;
      case 'delete':
        doc.deleteIn(p);
        break;
      case 'duplicate': {
        // The same key twice in one mapping: written as text, the document API would merge it.
        const node = doc.getIn(parent, true) as Node | undefined;
        if (isMap(node) && typeof last === 'string') node.items.push(doc.createPair(last, m.value) as Pair<unknown, unknown>);
        break;
      }
      case 'rename': {
        const node = doc.getIn(parent, true) as Node | undefined;
        if (isMap(node) && typeof last === 'string') {
          const value = doc.getIn(p);
          doc.deleteIn(p);
          doc.setIn([...parent, m.key], value);
        }
        break;
      }
      case 'nest': {
        let v: unknown = m.value;
        for (let i = 0; i < m.depth; i++) v = { x: v };
        doc.setIn(p, doc.createNode(v));
        break;
      }
      case 'alias': {
        // Anchor a node and refer to it from another place (harmless aliases, and loops of them).
        const node = doc.getIn(p, true) as Node | undefined;
        const other = all[(m.at * 7 + 3) % all.length]!;
        if (node !== undefined && other.join('.') !== p.join('.') && !other.join('.').startsWith(p.join('.'))) {
          node.anchor = `a${m.depth}`;
          doc.setIn(other, doc.createAlias(node as Parameters<Document['createAlias']>[0]));
        }
        break;
      }
      case 'retype': {
        const v = doc.getIn(p);
        doc.setIn(p, doc.createNode(Array.isArray(v) ? { items: v } : [v]));
        break;
      }
    }
  }
}

/** A --set argument: a path of the document (or a made-up one) and a value, or a malformed one. */
const setArg = fc.oneof(
  fc.tuple(fc.nat(), values).map(([at, v]) => ({ at, v })),
  fc.string({ maxLength: 20 }).map((raw) => ({ raw })),
);

function setText(text: string, s: { at: number; v: unknown } | { raw: string }): string {
  if ('raw' in s) return s.raw;
  const all = paths(parseDocument(text).contents);
  const p = all[s.at % all.length] ?? ['seed'];
  const key = p.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
  return `${key}=${JSON.stringify(s.v) ?? 'null'}`;
}

describe('fuzzer: mutated scenarios and --set arguments', () => {
  it(`gives a result or a located scenario error, never another exception (${RUNS} cases, seed ${SEED})`, async () => {
    const work = tempFiles({});
    let n = 0;
    // What the cases came to: runs that succeeded, and refusals by their kind of message.
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.nat(bases.length - 1), fc.array(mutation, { maxLength: 2 }), fc.array(setArg, { maxLength: 1 }), async (b, muts, sets) => {
        const base = bases[b]!;
        const text = mutate(base.text, muts);
        const file = path.join(work, `case-${n++}.yaml`);
        writeFileSync(file, text);
        const args = sets.flatMap((s) => ['--set', setText(text, s)]);
        const started = performance.now();
        const r = await cli('run', file, ...args);
        const ms = performance.now() - started;
        const context = `${base.name} mutated by ${JSON.stringify(muts)} with ${JSON.stringify(args)}:\n${r.err}`;
        const kind = r.code === 0 ? `ran (${base.name})` : (/: ([a-z][a-z ]{3,30})/.exec(r.err.split('\n')[0]!.replace(/^\S+?: (\S+: )?/, ': '))?.[1] ?? 'other');
        outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1);
        expect([0, 2], context).toContain(r.code);
        expect(r.err, context).not.toMatch(/internal error|\n\s+at /);
        if (r.code === 2) {
          // A scenario error: file[:line[:column]]: key path: message; or --set ...: key path: message; or spinarch: message.
          const first = r.err.split('\n')[0]!;
          expect(first, context).toMatch(/^(\S+?\.yaml(:\d+(:\d+)?)?|--set .*?): (\S+: )?.+|^spinarch: .+|^error: .+/);
        }
        expect(ms, context).toBeLessThan(CASE_LIMIT_MS);
        expect(({} as Record<string, unknown>)['x'], 'the object prototype was polluted').toBeUndefined();
      }),
      { numRuns: RUNS, seed: SEED, ...(PATH === undefined ? {} : { path: PATH }), endOnFailure: true },
    );
    if (process.env['FUZZ_STATS'] === '1') console.log([...outcomes].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${v}\t${k}`).join('\n'));
  }, 600_000);
});
