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
import { afterAll, describe, expect, it } from 'vitest';
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

/**
 * The other files spinarch reads (results files, a sharded sweep's parts, weights files) with
 * arbitrary bytes in them, and arbitrary paths for the options that name an output: each
 * command succeeds or refuses (exit 2), never an internal error. FUZZ_FILE_RUNS cases each
 * (default a quarter of FUZZ_RUNS, at least 25).
 */
const FILE_RUNS = Number(process.env['FUZZ_FILE_RUNS'] ?? Math.max(25, Math.round(RUNS / 4)));

/** One edit of a file's bytes, or of a value inside its JSON. */
type ByteEdit = { kind: 'truncate' | 'splice' | 'insert' | 'json' | 'bytes'; at: number; length: number; bytes: Uint8Array; text: string; value: unknown };
const byteEdit: fc.Arbitrary<ByteEdit> = fc.record({
  kind: fc.constantFrom('truncate', 'splice', 'insert', 'json', 'json', 'json', 'bytes'),
  at: fc.nat(),
  length: fc.integer({ min: 1, max: 64 }),
  bytes: fc.uint8Array({ maxLength: 64 }),
  text: fc.oneof(fc.string({ maxLength: 16 }), fc.constantFrom('\n', '{', '}', '"', ',', '[', 'null', '1e400', '-1', '__proto__', '{"part":{}}', '"key":1')),
  value: values,
});

/** A value at a random place of a JSON value replaced (the whole value if it is a scalar). */
function replaceJson(v: unknown, at: number, value: unknown): unknown {
  const spots: { holder: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach((y, i) => (spots.push({ holder: x, key: i }), walk(y)));
    else if (typeof x === 'object' && x !== null) for (const [k, y] of Object.entries(x)) (spots.push({ holder: x as Record<string, unknown>, key: k }), walk(y));
  };
  walk(v);
  if (spots.length === 0) return value;
  const s = spots[at % spots.length]!;
  (s.holder as Record<string | number, unknown>)[s.key] = value;
  return v;
}

function editBytes(data: Buffer, e: ByteEdit, jsonLines: boolean): Buffer {
  const at = data.length === 0 ? 0 : e.at % data.length;
  switch (e.kind) {
    case 'truncate':
      return data.subarray(0, at);
    case 'splice':
      return Buffer.concat([data.subarray(0, at), Buffer.from(e.bytes), data.subarray(at + e.length)]);
    case 'insert':
      return Buffer.concat([data.subarray(0, at), Buffer.from(e.text), data.subarray(at)]);
    case 'bytes':
      return Buffer.from(e.bytes);
    case 'json': {
      const text = data.toString('utf8');
      const parse = (t: string): unknown => {
        try {
          return JSON.parse(t) as unknown;
        } catch {
          return undefined;
        }
      };
      if (!jsonLines) {
        const v = parse(text);
        return v === undefined ? data : Buffer.from(JSON.stringify(replaceJson(v, e.at, e.value)) ?? 'null');
      }
      const lines = text.split('\n');
      const i = e.at % lines.length;
      const v = parse(lines[i]!);
      if (v !== undefined) lines[i] = JSON.stringify(replaceJson(v, Math.floor(e.at / lines.length), e.value)) ?? 'null';
      return Buffer.from(lines.join('\n'));
    }
  }
}

/** What an output option may be given: odd names, places that are not files, files that are inputs or of another kind. */
const outputName = fc.oneof(
  fc.string({ maxLength: 24 }).map((s) => ({ rel: s })),
  fc.constantFrom('', '.', '..', '/', '/dev/null', '/dev/zero', '-', '--json', 'a\u0000b', 'x'.repeat(300), 'missing/dir/x', 'sub', 'sub/', 'notes.txt', 'r.jsonl', 'sweep.yaml', 'p.svg', 'w.json', 'new.svg', 'new.jsonl', 'new.json', 'NEW.SVG', ' spaced name.svg', 'r.jsonl/x', 'ünï.svg').map((s) => ({ named: s })),
);

describe('fuzzer: results files, parts, weights files and output paths', () => {
  const RESULTS = [
    { key: 'a1', point: { x: 1, s: 'p' }, metrics: { y: 2, ci: [0.1, 0.2] }, spinarch: '0.1.0' },
    { key: 'a2', point: { x: 2, s: 'q' }, error: 'no metric y', spinarch: '0.1.0' },
    { key: 'a3', point: { x: 3, s: 'p' }, metrics: { y: 4.5, ci: [0.3, 0.4] }, spinarch: '0.1.0' },
  ]
    .map((l) => `${JSON.stringify(l)}\n`)
    .join('');
  const SWEEP = `scenario: ${path.resolve('scenarios/maap-cnn-4bit.yaml')}\naxes:\n  params.maap.sets: [16, 32, 64]\nrun: {images: 1}\nmetrics: [energy_j]\nout: whole.jsonl\n`;
  const WEIGHTS = readFileSync(path.resolve('scenarios/weights/sot-mlp.json'));

  /** A folder with the files commands read, fresh for each case (a case may write over them). */
  async function folder(parts: readonly Buffer[]): Promise<string> {
    const d = tempFiles({ 'notes.txt': 'notes\n', 'r.jsonl': RESULTS, 'sweep.yaml': SWEEP, 'p.svg': '<svg xmlns="http://www.w3.org/2000/svg"></svg>\n', 'w.json': WEIGHTS.toString('utf8') });
    await import('node:fs').then((fs) => {
      fs.mkdirSync(path.join(d, 'sub'));
      parts.forEach((p, i) => fs.writeFileSync(path.join(d, `part-${i + 1}.jsonl`), p));
    });
    return d;
  }

  // What the cases came to (FUZZ_STATS=1 prints it): exit code, command and the first words of the message.
  const outcomes = new Map<string, number>();
  afterAll(() => {
    if (process.env['FUZZ_STATS'] === '1') console.log([...outcomes].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${v}\t${k}`).join('\n'));
  });
  const check = (r: { code: number; err: string }, context: string): void => {
    const said = (r.err.split('\n').find((l) => !l.startsWith('note') && l !== '') ?? '').replace(/\/\S*/g, 'F').replace(/\d+/g, 'N').slice(0, 60);
    const kind = `${r.code}\t${context.split(' ')[0]}\t${said}`;
    outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1);
    expect([0, 2], `${context}\n${r.err}`).toContain(r.code);
    expect(r.err, context).not.toMatch(/internal error|this is a bug|\n\s+at /);
  };

  let partsMade: Buffer[] | undefined;
  /** The two parts of the sweep, run once. */
  async function realParts(): Promise<Buffer[]> {
    if (partsMade !== undefined) return partsMade;
    const d = tempFiles({ 'sweep.yaml': SWEEP });
    for (const i of [1, 2]) expect((await cli('sweep', path.join(d, 'sweep.yaml'), '--shard', `${i}/2`, '--workers', '1')).code).toBe(0);
    partsMade = [1, 2].map((i) => readFileSync(path.join(d, `whole.part-${i}-of-2.jsonl`)));
    return partsMade;
  }

  it(`results files with arbitrary bytes: results and plot exit 0 or 2 (${FILE_RUNS} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(byteEdit, { minLength: 1, maxLength: 3 }), fc.constantFrom('table', '--csv', '--json', '--markdown', 'plot'), async (edits, how) => {
        const d = await folder([]);
        const file = path.join(d, 'r.jsonl');
        writeFileSync(file, edits.reduce<Buffer>((b, e) => editBytes(b, e, true), Buffer.from(RESULTS)));
        const argv = how === 'plot' ? ['plot', file, '--x', 'x', '--y', 'y', '--series', 's', '--out', path.join(d, 'new.svg')] : ['results', file, ...(how === 'table' ? [] : [how])];
        check(await cli(...argv), `${argv.join(' ')} after ${JSON.stringify(edits)}`);
      }),
      { numRuns: FILE_RUNS, seed: SEED, endOnFailure: true },
    );
  }, 600_000);

  it(`parts with arbitrary bytes: merge exits 0 or 2 (${FILE_RUNS} cases)`, async () => {
    const good = await realParts();
    await fc.assert(
      fc.asyncProperty(fc.array(byteEdit, { maxLength: 3 }), fc.nat(1), async (edits, which) => {
        const parts = good.map((p, i) => (i === which ? edits.reduce<Buffer>((b, e) => editBytes(b, e, true), p) : p));
        const d = await folder(parts);
        const argv = ['merge', path.join(d, 'part-1.jsonl'), path.join(d, 'part-2.jsonl'), '--sweep', path.join(d, 'sweep.yaml'), '--out', path.join(d, 'new.jsonl')];
        check(await cli(...argv), `merge after ${JSON.stringify(edits)} of part ${which + 1}`);
      }),
      { numRuns: FILE_RUNS, seed: SEED, endOnFailure: true },
    );
  }, 600_000);

  it(`weights files with arbitrary bytes: run exits 0 or 2 (${FILE_RUNS} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(byteEdit, { minLength: 1, maxLength: 3 }), async (edits) => {
        const d = await folder([]);
        const file = path.join(d, 'w.json');
        writeFileSync(file, edits.reduce<Buffer>((b, e) => editBytes(b, e, false), WEIGHTS));
        check(await cli('run', 'scenarios/sot-mlp.yaml', '--set', `weights.file=${file}`, '--workers', '1'), `weights after ${JSON.stringify(edits)}`);
      }),
      { numRuns: FILE_RUNS, seed: SEED, endOnFailure: true },
    );
  }, 600_000);

  it(`arbitrary output paths: schema, plot, sweep, merge and trace exit 0 or 2 (${FILE_RUNS} cases)`, async () => {
    const good = await realParts();
    await fc.assert(
      fc.asyncProperty(outputName, fc.constantFrom('schema', 'plot', 'sweep', 'merge', 'trace'), fc.boolean(), async (name, command, force) => {
        const d = await folder(good);
        // Names stay in the case's folder, unless they are the odd absolute ones.
        const out = 'named' in name && (name.named.startsWith('/') || name.named.startsWith('-') || name.named === '') ? name.named : path.join(d, 'named' in name ? name.named : name.rel.replace(/\.\./g, '_'));
        const f = force ? ['--force'] : [];
        const argv: Record<typeof command, string[]> = {
          schema: ['schema', '--out', out, ...f],
          plot: ['plot', path.join(d, 'r.jsonl'), '--x', 'x', '--y', 'y', '--out', out, ...f],
          sweep: ['sweep', 'scenarios/maap-cnn-4bit.yaml', '--vary', 'params.maap.sets=16,64', '--workers', '1', '--out', out, ...f],
          merge: ['merge', path.join(d, 'part-1.jsonl'), path.join(d, 'part-2.jsonl'), '--sweep', path.join(d, 'sweep.yaml'), '--out', out, ...f],
          trace: ['trace', 'scenarios/sot-mlp.yaml', '--vcd', out, ...f],
        };
        // The command's own inputs are never written over, --force or not.
        const inputs = command === 'merge' ? ['sweep.yaml', 'part-1.jsonl', 'part-2.jsonl'] : command === 'plot' ? ['r.jsonl'] : [];
        const before = inputs.map((f) => readFileSync(path.join(d, f), 'utf8'));
        check(await cli(...argv[command]), `${argv[command].join(' ')}`);
        inputs.forEach((f, i) => expect(readFileSync(path.join(d, f), 'utf8') === before[i], `${argv[command].join(' ')} wrote over its input ${f}`).toBe(true));
      }),
      { numRuns: FILE_RUNS, seed: SEED, endOnFailure: true },
    );
  }, 600_000);
});
