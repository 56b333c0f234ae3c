import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempFiles } from './helpers.js';

// Issue 21: what spinarch writes never destroys a user's file, what it reads is bounded,
// accepted input never ends in an internal error, and messages say what is true.

const IRMEN = 'scenarios/irmen-dual-cenn.yaml';
const MTJ = 'scenarios/mtj-mlp.yaml';
const NO_HEAD = 'network.layers=[{type: conv, kernel: 3, templates: 4}, {type: relu}, {type: maxpool, size: 3, stride: 1}]';
const NOTES = 'my notes, not results\n';

interface Case {
  readonly name: string;
  readonly argv: (dir: string) => string[];
  readonly code: number;
  readonly err: RegExp;
  /** Files of the folder that must be byte for byte as they were. */
  readonly untouched?: readonly string[];
}

/** A folder with a user's files that commands must not destroy. */
function userFolder(): string {
  const scenario = readFileSync(IRMEN, 'utf8').replace('file: weights/', `file: ${path.resolve('scenarios/weights')}/`);
  return tempFiles({
    'notes.txt': NOTES,
    's.yaml': scenario,
    'r.jsonl': `${JSON.stringify({ key: 'a', point: { x: 1 }, metrics: { y: 2 } })}\n`,
    'empty-metrics.jsonl': `${JSON.stringify({ key: 'a', point: {}, metrics: {} })}\n`,
    'old.json': '{"traceEvents":[]}\n',
    'notes.svg': NOTES,
    'results.svg': `${JSON.stringify({ key: 'a', point: { x: 1 }, metrics: { y: 2 } })}\n`,
  });
}

const CASES: readonly Case[] = [
  // Never destroy a user's file.
  { name: 'sweep --out over a file that is not results', argv: (d) => ['sweep', 'scenarios/maap-cnn-4bit.yaml', '--vary', 'params.maap.sets=16,64', '--out', path.join(d, 'notes.txt')], code: 2, err: /--out .*notes\.txt: it exists and is not a results file .*--force to replace it/, untouched: ['notes.txt'] },
  { name: 'sweep --out over its own scenario', argv: (d) => ['sweep', path.join(d, 's.yaml'), '--vary', 'seed=1,2', '--out', path.join(d, 's.yaml')], code: 2, err: /--out .*s\.yaml is also an input of this command/, untouched: ['s.yaml'] },
  { name: 'trace --vcd over its scenario', argv: (d) => ['trace', path.join(d, 's.yaml'), '--vcd', path.join(d, 's.yaml')], code: 2, err: /--vcd .*s\.yaml is also an input of this command/, untouched: ['s.yaml'] },
  { name: 'trace --perfetto over notes', argv: (d) => ['trace', IRMEN, '--perfetto', path.join(d, 'notes.txt')], code: 2, err: /--perfetto .*notes\.txt: it exists and is not a Perfetto trace/, untouched: ['notes.txt'] },
  { name: 'train --out over its scenario', argv: (d) => ['train', path.join(d, 's.yaml'), '--out', path.join(d, 's.yaml')], code: 2, err: /--out .*s\.yaml is also an input of this command/, untouched: ['s.yaml'] },
  { name: 'train --out into a missing folder, before training', argv: () => ['train', 'scenarios/sot-mlp.yaml', '--out', '/nonexistent/x.json'], code: 2, err: /--out \/nonexistent\/x\.json: no such directory \/nonexistent/ },
  { name: 'plot --out over its input', argv: (d) => ['plot', path.join(d, 'results.svg'), '--x', 'x', '--y', 'y', '--out', path.join(d, 'results.svg')], code: 2, err: /--out .*results\.svg is also an input of this command/, untouched: ['results.svg'] },
  { name: 'plot --out over a text file named .svg', argv: (d) => ['plot', path.join(d, 'r.jsonl'), '--x', 'x', '--y', 'y', '--out', path.join(d, 'notes.svg')], code: 2, err: /--out .*notes\.svg: it exists and is not an SVG drawing/, untouched: ['notes.svg'] },
  { name: 'plot to a new file', argv: (d) => ['plot', path.join(d, 'r.jsonl'), '--x', 'x', '--y', 'y', '--out', path.join(d, 'new.svg')], code: 0, err: /wrote .*new\.svg \(1 points\)/ },
  { name: 'schema --out over notes', argv: (d) => ['schema', '--out', path.join(d, 'notes.txt')], code: 2, err: /is not a JSON Schema/, untouched: ['notes.txt'] },
  { name: 'device irmen --plot over notes', argv: (d) => ['device', 'irmen', IRMEN, '--plot', path.join(d, 'notes.txt')], code: 2, err: /--plot .*notes\.txt: plots are written as SVG only/, untouched: ['notes.txt'] },
  { name: 'a trace past --max-trace-size', argv: (d) => ['trace', IRMEN, '--perfetto', path.join(d, 'old.json'), '--max-trace-size', '50kB'], code: 2, err: /warning: the traces have written .* of --max-trace-size 50\.0 kB[\s\S]*reached --max-trace-size 50\.0 kB: stopped .*removed what was being written to .*old\.json/, untouched: ['old.json'] },
  { name: 'trace --op that matches nothing, before simulating', argv: () => ['trace', IRMEN, '--op', 'L3/out[5]'], code: 2, err: /--op L3\/out\[5\]: no operation of irmen-dual-cenn matches it; it has stage\[0\.\.27\]/ },
  { name: "sweep --out - (no file named '-' in the working folder)", argv: () => ['sweep', 'scenarios/maap-cnn-4bit.yaml', '--vary', 'params.maap.sets=16,64', '--out', '-'], code: 2, err: /--out -: that looks like standard output, which spinarch does not write files to; if it is a file name, write it \.\/-/ },
  { name: 'merge --out --json (an option taken for a name)', argv: (d) => ['merge', path.join(d, 'r.jsonl'), '--sweep', path.join(d, 's.yaml'), '--out', '--json'], code: 2, err: /--out --json: that looks like an option, not a file name/ },
  { name: "schema --out ''", argv: () => ['schema', '--out', ''], code: 2, err: /--out needs a file name, got ''/ },
  { name: 'trace --vcd with a NUL in its name', argv: (d) => ['trace', IRMEN, '--vcd', path.join(d, 'a\u0000b.vcd')], code: 2, err: /--vcd ".*a\\u0000b\.vcd": a file name cannot hold a NUL character/ },
  // Every other file is bounded.
  { name: 'results /dev/zero', argv: () => ['results', '/dev/zero'], code: 2, err: /cannot read results file \/dev\/zero: it is not a regular file/ },
  { name: 'plot /dev/zero', argv: (d) => ['plot', '/dev/zero', '--x', 'x', '--y', 'y', '--out', path.join(d, 'p.svg')], code: 2, err: /cannot read results file \/dev\/zero: it is not a regular file/ },
  { name: 'sweep --out /dev/zero', argv: () => ['sweep', 'scenarios/maap-cnn-4bit.yaml', '--vary', 'params.maap.sets=16,64', '--out', '/dev/zero'], code: 2, err: /--out \/dev\/zero: it is not a regular file/ },
  { name: 'a sweep of a million points', argv: () => ['sweep', 'scenarios/maap-cnn-4bit.yaml', '--vary', 'params.maap.sets=1:1000:1', '--vary', 'params.maap.redundancy=1:1000:1'], code: 2, err: /this sweep has 1,000,000 points \(1000 params\.maap\.sets x 1000 params\.maap\.redundancy\), more than the 10,000 a sweep may have: .*--max-points 1000000/ },
  // No internal error on accepted input.
  { name: 'mtj-mlp input_full_scale=15 V', argv: () => ['validate', MTJ, '--set', 'params.input_full_scale=15 V'], code: 2, err: /params\.input_full_scale: the cells are read at this voltage, and 15 V is above what the drivers apply \(params\.cell\.program\.max_voltage, 3\.6 V\)/ },
  { name: 'mtj-mlp output_swing=20 V', argv: () => ['validate', MTJ, '--set', 'params.neuron.output_swing=20 V'], code: 2, err: /params\.neuron\.output_swing: .*keep it at or below 3\.6 V/ },
  { name: 'eval of a CNN without a dense head', argv: () => ['eval', IRMEN, '--images', '5', '--set', 'weights=random', '--set', NO_HEAD], code: 2, err: /network\.layers: accuracy needs a dense classifier head/ },
  { name: 'train of a CNN without a dense head', argv: () => ['train', IRMEN, '--set', 'weights=random', '--set', NO_HEAD], code: 2, err: /network\.layers: accuracy needs a dense classifier head/ },
  { name: 'compare --accuracy-images of a CNN without a dense head', argv: () => ['compare', IRMEN, '--accuracy-images', '5', '--set', 'weights=random', '--set', NO_HEAD], code: 2, err: /network\.layers: accuracy needs a dense classifier head/ },
  { name: 'a sweep with eval of a CNN without a dense head', argv: (d) => ['sweep', IRMEN, '--vary', 'seed=1,2', '--eval-images', '5', '--set', 'weights=random', '--set', NO_HEAD, '--out', path.join(d, 'x.jsonl')], code: 2, err: /accuracy needs a dense classifier head .*\(at seed=1\)/ },
  { name: 'plot without --y', argv: (d) => ['plot', path.join(d, 'r.jsonl'), '--x', 'x', '--out', path.join(d, 'p.svg')], code: 2, err: /plot needs --y KEY/ },
  { name: 'results of a line with empty metrics', argv: (d) => ['results', path.join(d, 'empty-metrics.jsonl')], code: 0, err: /^$/ },
  // Messages that tell the truth.
  { name: 'bundled weights that do not fit a changed network', argv: () => ['run', IRMEN, '--set', 'network.layers[0].templates=8'], code: 2, err: /irmen-dual-cenn\.yaml:\d+:\d+: weights\.file: .*layer 0 has shape \[4, 1, 3, 3\], the network needs \[8, 1, 3, 3\]: .*--set weights=random.*spinarch train/ },
  { name: 'eval --from past the set', argv: () => ['eval', 'scenarios/sot-mlp.yaml', '--from', '10000'], code: 2, err: /--from 10000 is outside the 10000 images of the MNIST test set/ },
  { name: 'fm_length=200 nm, the bound itself', argv: () => ['validate', IRMEN, '--set', 'params.irmen.fm_length=200 nm'], code: 0, err: /^$/ },
  { name: 'trace --from -5', argv: () => ['trace', IRMEN, '--op', 'stage[0]', '--from', '-5'], code: 2, err: /--from must be a time >= 0: with its unit \('12 ns'\) or a whole number of picoseconds, got '-5'/ },
  { name: 'run --mnist-set without --mnist', argv: () => ['run', IRMEN, '--mnist-set', 'train'], code: 2, err: /--mnist-set picks the MNIST set: give --mnist too/ },
  { name: 'eval --per-image without --json', argv: () => ['eval', 'scenarios/sot-mlp.yaml', '--per-image', '--images', '1'], code: 2, err: /--per-image adds every image to the JSON: give --json too/ },
  { name: 'trace --json without --op', argv: (d) => ['trace', IRMEN, '--json', '--vcd', path.join(d, 't.vcd')], code: 2, err: /--json prints the --op listing: give --op SELECTOR too/ },
  { name: 'sweep --name without --queue', argv: (d) => ['sweep', 'scenarios/maap-cnn-4bit.yaml', '--vary', 'params.maap.sets=16,64', '--name', 'x', '--out', path.join(d, 'x.jsonl')], code: 2, err: /--name names a Redis queue: it goes with --queue/ },
  { name: 'figures --cases without --evaluate', argv: () => ['figures', '--cases', 'sot'], code: 2, err: /--cases picks the cases --evaluate runs: give --evaluate too/ },
  { name: 'plot --out x.png', argv: (d) => ['plot', path.join(d, 'r.jsonl'), '--x', 'x', '--y', 'y', '--out', path.join(d, 'x.png')], code: 2, err: /--out .*x\.png: plots are written as SVG only; name the file \.svg/ },
];

describe('issue 21: each case through the CLI', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const dir = userFolder();
      const before = new Map((c.untouched ?? []).map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]));
      const r = await cli(...c.argv(dir));
      expect(r.code, r.err).toBe(c.code);
      expect(r.err).toMatch(c.err);
      expect(r.err).not.toMatch(/internal error|\n\s+at /);
      for (const [f, text] of before) expect(readFileSync(path.join(dir, f), 'utf8')).toBe(text);
      // Nothing half-written is left beside them.
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    }, 60_000);
  }

  it('shows a results line with empty metrics plainly', async () => {
    const dir = userFolder();
    expect((await cli('results', path.join(dir, 'empty-metrics.jsonl'))).out).toBe('1 result with no axis value and no metric (empty point and metrics): nothing to show\n');
  });

  it('replaces a file of another kind with --force, whole', async () => {
    const dir = userFolder();
    const file = path.join(dir, 'notes.txt');
    const r = await cli('trace', IRMEN, '--vcd', file, '--force');
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/^\$date spinarch \$end\n[\s\S]*\$enddefinitions \$end\n/);
    // A VCD is now of its kind: written over again without --force.
    expect((await cli('trace', IRMEN, '--vcd', file)).code).toBe(0);
  });

  it('caps --workers at the cores, saying so', async () => {
    const r = await cli('run', IRMEN, '--workers', '999', '--json');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/note: --workers 999 is more than this machine's \d+ cores: using \d+/);
  });

  it('refuses pipes without waiting for a writer: results, validate, weights', () => {
    const dir = tempFiles({});
    const fifo = path.join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const bin = path.resolve('bin/spinarch.js');
    for (const [argv, message] of [
      [['results', fifo], /cannot read results file .*pipe: it is not a regular file/],
      [['validate', fifo], /pipe: cannot read scenario: it is not a regular file/],
      [['run', IRMEN, '--set', `weights.file=${fifo}`], /weights\.file: cannot read weights file .*pipe: it is not a regular file/],
    ] as const) {
      const r = spawnSync(process.execPath, [bin, ...argv], { encoding: 'utf8', timeout: 20_000 });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  }, 60_000);

  it('an interrupted trace removes what it was writing and says so; a file there before is kept', async () => {
    const dir = userFolder();
    const perfetto = path.join(dir, 'old.json');
    const vcd = path.join(dir, 't.vcd');
    const child = spawn(process.execPath, [path.resolve('bin/spinarch.js'), 'trace', IRMEN, '--perfetto', perfetto, '--vcd', vcd, '--images', '100000'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // Once the trace is being written, interrupt it.
    const started = Date.now();
    while (!readdirSync(dir).some((f) => f.endsWith('.tmp')) && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1000));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, err).toBe(130);
    expect(err).toMatch(/interrupted \(SIGINT\) after \d+ of 100000 images: removed what was being written to .*old\.json and .*t\.vcd/);
    expect(readFileSync(perfetto, 'utf8')).toBe('{"traceEvents":[]}\n');
    expect(existsSync(vcd)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 60_000);

  it('writes outputs through a temporary name and a rename (no torn file on failure)', async () => {
    const { writeFileAtomic, temporaryFor } = await import('../src/data/output-file.js');
    const dir = tempFiles({ 'a.txt': 'old\n' });
    const file = path.join(dir, 'a.txt');
    writeFileAtomic(file, 'new\n');
    expect(readFileSync(file, 'utf8')).toBe('new\n');
    expect(existsSync(temporaryFor(file))).toBe(false);
    expect(path.dirname(temporaryFor(file))).toBe(dir);
    expect(() => writeFileAtomic(path.join(dir, 'missing', 'b.txt'), 'x')).toThrow(/cannot write .*b\.txt: no such directory/);
    writeFileSync(file, 'old\n');
  });
});

// Parts of a sharded sweep carry what they were run with; merge takes them as run or says what differs.
const EVAL_SWEEP = (clock: string): string => `scenario: ${path.resolve('scenarios/sot-mlp.yaml')}
axes:
  params.driver.clock_period: [1 ns, 1.5 ns, ${clock}]
eval: {images: 10000}
metrics: [accuracy.rate]
out: results.jsonl
`;

interface MergeCase {
  readonly name: string;
  /** Commands run first (the shards). */
  readonly setup: (dir: string) => string[][];
  readonly argv: (dir: string) => string[];
  readonly code: number;
  readonly err: RegExp;
}

const shard = (d: string, sweep: string, i: number, extra: string[] = [], out?: string): string[] => ['sweep', path.join(d, sweep), '--shard', `${i}/2`, '--workers', '1', ...extra, ...(out === undefined ? [] : ['--out', path.join(d, out)])];
const part = (d: string, i: number): string => path.join(d, `results.part-${i}-of-2.jsonl`);

const MERGE_CASES: readonly MergeCase[] = [
  {
    name: 'shards run with --eval-images are merged as run, saying so',
    setup: (d) => [shard(d, 'sweep.yaml', 1, ['--eval-images', '20']), shard(d, 'sweep.yaml', 2, ['--eval-images', '20'])],
    argv: (d) => ['merge', part(d, 1), part(d, 2), '--sweep', path.join(d, 'sweep.yaml')],
    code: 0,
    err: /note: the parts were run with --eval-images 20 \(the sweep file asks 10000\): merged as they were run[\s\S]*3 points from 2 parts -> .*results\.jsonl/,
  },
  {
    name: 'shards run with different --eval-images: which setting, which parts',
    setup: (d) => [shard(d, 'sweep.yaml', 1, ['--eval-images', '20']), shard(d, 'sweep.yaml', 2, ['--eval-images', '30'])],
    argv: (d) => ['merge', part(d, 1), part(d, 2), '--sweep', path.join(d, 'sweep.yaml')],
    code: 2,
    err: /the parts were run with different --eval-images: 20 in .*results\.part-1-of-2\.jsonl; 30 in .*results\.part-2-of-2\.jsonl \(the sweep file asks 10000\)/,
  },
  {
    name: 'a part of another sweep says so',
    setup: (d) => [shard(d, 'sweep.yaml', 1, ['--eval-images', '20']), shard(d, 'other.yaml', 2, ['--eval-images', '20'], 'other-2.jsonl')],
    argv: (d) => ['merge', part(d, 1), path.join(d, 'other-2.jsonl'), '--sweep', path.join(d, 'sweep.yaml')],
    code: 2,
    err: /other-2\.jsonl is shard 2\/2 of another sweep, other\.yaml, not of sweep\.yaml/,
  },
  {
    name: 'a part of the sweep file as it was before an edit says so',
    setup: (d) => [shard(d, 'sweep.yaml', 1, ['--eval-images', '20']), shard(d, 'sweep.yaml', 2, ['--eval-images', '20'])],
    // The sweep file edited after the shards ran.
    argv: (d) => {
      writeFileSync(path.join(d, 'sweep.yaml'), EVAL_SWEEP('4 ns'));
      return ['merge', part(d, 1), part(d, 2), '--sweep', path.join(d, 'sweep.yaml')];
    },
    code: 2,
    err: /results\.part-1-of-2\.jsonl is shard 1\/2 of sweep\.yaml as it was when the shard ran, with other points: the sweep file or its scenarios changed since/,
  },
];

describe('issue 21: merge and what parts were run with', () => {
  for (const c of MERGE_CASES) {
    it(c.name, async () => {
      const dir = tempFiles({ 'sweep.yaml': EVAL_SWEEP('2 ns'), 'other.yaml': EVAL_SWEEP('3 ns') });
      for (const argv of c.setup(dir)) {
        const r = await cli(...argv);
        expect(r.code, r.err).toBe(0);
      }
      const r = await cli(...c.argv(dir));
      expect(r.code, r.err).toBe(c.code);
      expect(r.err).toMatch(c.err);
      expect(r.err).not.toMatch(/internal error|\n\s+at /);
      if (c.code !== 0) expect(existsSync(path.join(dir, 'results.jsonl'))).toBe(false);
    }, 60_000);
  }

  it('a merged sweep is its lines without the parts\' stamps, readable by results', async () => {
    const dir = tempFiles({ 'sweep.yaml': EVAL_SWEEP('2 ns') });
    for (const i of [1, 2]) expect((await cli(...shard(dir, 'sweep.yaml', i, ['--eval-images', '20']))).code).toBe(0);
    const stamp = JSON.parse(readFileSync(part(dir, 1), 'utf8').split('\n')[0]!) as { part: Record<string, unknown> };
    expect(stamp.part).toMatchObject({ of: 'sweep.yaml', shard: '1/2', eval_images: 20 });
    expect((await cli('merge', part(dir, 1), part(dir, 2), '--sweep', path.join(dir, 'sweep.yaml'))).code).toBe(0);
    const merged = readFileSync(path.join(dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(merged.map((l) => (l['point'] as Record<string, unknown>)['params.driver.clock_period'])).toEqual(['1 ns', '1.5 ns', '2 ns']);
    expect(merged.every((l) => !('part' in l))).toBe(true);
    const shown = await cli('results', part(dir, 1), '--csv');
    expect(shown.code, shown.err).toBe(0);
    expect(shown.out.split('\n')[0]).toBe('params.driver.clock_period,accuracy.rate,accuracy.ci95[0],accuracy.ci95[1]');
  }, 60_000);
});

describe('issue 21: a sweep over scenario files names the design whose report lacks a metric', () => {
  it('names sot-mlp (the second design), not maap-cnn (the first)', async () => {
    const dir = tempFiles({
      'designs.yaml': `axes:\n  scenario: [${path.resolve('scenarios/maap-cnn-4bit.yaml')}, ${path.resolve('scenarios/sot-mlp.yaml')}]\nrun: {images: 1}\nmetrics: [energy_j, counts.maap_ops]\nout: r.jsonl\n`,
    });
    const r = await cli('sweep', path.join(dir, 'designs.yaml'), '--workers', '1');
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(/designs\.yaml:\d+:\d+: metrics\[1\]: the report of sot-mlp has no 'counts\.maap_ops'; there: amplifier, line_charge, neuron, synapse_read/);
    expect(r.err).not.toMatch(/maap-cnn has no/);
  }, 60_000);
});

// compare says what its accuracy row is over, and shows none from a synthetic digit.
const PAIR = ['scenarios/charge-cenn.yaml', 'scenarios/irmen-dual-cenn.yaml'];
const COMPARE_CASES: readonly { readonly name: string; readonly argv: string[]; readonly out: RegExp; readonly absent: RegExp }[] = [
  { name: 'text, not evaluated', argv: [], out: /^Per image\. .*\naccuracy: not evaluated \(use --accuracy-images N\)\.\n/, absent: /│ accuracy|0\.0 %/ },
  { name: 'CSV, not evaluated', argv: ['--csv'], out: /^metric,unit,charge-cenn,irmen-dual-cenn\nlatency per image,s,/, absent: /^accuracy/m },
  { name: 'Markdown, not evaluated', argv: ['--markdown'], out: /\n\nAccuracy: not evaluated \(use --accuracy-images N\)\.\n$/, absent: /\| accuracy \|/ },
  { name: 'JSON, not evaluated', argv: ['--json'], out: /"accuracy": \{\n\s+"evaluated": false,\n\s+"note": "not evaluated \(use --accuracy-images N\)"/, absent: /"metric": "accuracy"/ },
  { name: 'text, over 20 MNIST images', argv: ['--accuracy-images', '20'], out: /\naccuracy over 20 images \(MNIST test images from the first, by the functional model\);\nunder it, its 95 % interval\.\n[\s\S]*│ accuracy /, absent: /not evaluated/ },
  { name: 'CSV, over 20 MNIST images', argv: ['--accuracy-images', '20', '--csv'], out: /\naccuracy,ratio,[\d.]+,[\d.]+\n[\s\S]*\naccuracy images,count,20,20\n/, absent: /not evaluated/ },
  { name: 'JSON, over 3 MNIST images run', argv: ['--mnist', '--images', '3', '--json'], out: /"accuracy": \{\n\s+"evaluated": true,\n\s+"images": \[\n\s+3,\n\s+3\n\s+\],\n\s+"over": "MNIST test images from index 0, run at event level"/, absent: /not evaluated/ },
];

describe('issue 21: compare says how many images its accuracy row used', () => {
  for (const c of COMPARE_CASES) {
    it(c.name, async () => {
      const r = await cli('compare', ...PAIR, ...c.argv);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(c.out);
      expect(r.out).not.toMatch(c.absent);
    }, 60_000);
  }

  it('the JSON row and its count agree with the functional model', async () => {
    const c = JSON.parse((await cli('compare', ...PAIR, '--accuracy-images', '20', '--json')).out) as { accuracy: { images: number[] }; metrics: { metric: string; values: number[] }[] };
    expect(c.accuracy.images).toEqual([20, 20]);
    const row = c.metrics.find((m) => m.metric === 'accuracy')!;
    // Rates of 20 images are whole twentieths.
    for (const v of row.values) expect(Math.abs(v * 20 - Math.round(v * 20))).toBeLessThan(1e-9);
  }, 60_000);
});

describe("issue 21: run's share column adds up to the energy it is a share of", () => {
  it('on every bundled scenario, the uncounted classifier head apart', async () => {
    const { bundledScenarios } = await import('../src/cli/paths.js');
    for (const file of bundledScenarios()) {
      const r = await cli('run', file, '--workers', '1');
      expect(r.code, `${file}: ${r.err}`).toBe(0);
      const energy = /│ energy\s+│\s+(\S+ \S+) │/.exec(r.out)![1]!;
      const header = /│ component .*│ share of (\S+ \S+) │/.exec(r.out);
      expect(header?.[1], file).toBe(energy);
      const table = r.out.slice(header!.index, r.out.indexOf('└', header!.index));
      const shares = [...table.matchAll(/│\s+([\d.]+) % │\n/g)].map((m) => Number(m[1]));
      expect(shares.length, file).toBeGreaterThan(0);
      // Each share is rounded to 0.1 %.
      expect(Math.abs(shares.reduce((a, b) => a + b, 0) - 100), file).toBeLessThanOrEqual(0.05 * shares.length + 1e-9);
      // A head outside the totals has no share of them.
      if (/not in the totals above/.test(r.out)) expect(table).toMatch(/│ classifier .*│\s+not in it │/);
    }
  }, 120_000);
});

describe('issue 21: long runs print plain progress lines when stderr is not a terminal', () => {
  it('train with stderr piped: lines of what is done, no bar, no carriage return or ANSI', () => {
    const dir = tempFiles({});
    const r = spawnSync(process.execPath, [path.resolve('bin/spinarch.js'), 'train', 'scenarios/sot-mlp.yaml', '--epochs', '1', '--train-images', '2000', '--out', path.join(dir, 'w.json')], {
      encoding: 'utf8',
      timeout: 60_000,
      // A line every 0.1 s, so a short run shows some (the default is every 10 s).
      env: { ...process.env, SPINARCH_PROGRESS_SECONDS: '0.1' },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^training sot-mlp: \d+\/\d+ batches \(\d+ %\), [\d.]+ batches\/s/m);
    expect(r.stderr).toMatch(/^training sot-mlp: (\d+)\/\1 batches in \d+ s$/m);
    expect(r.stderr).not.toMatch(/\r|\u001b\[/);
  }, 60_000);

  it('prints none for work shorter than the interval, and none with SPINARCH_PROGRESS_SECONDS=0', async () => {
    const { progressBar } = await import('../src/cli/progress.js');
    let err = '';
    const io = { out: () => undefined, err: (t: string) => void (err += t), errIsTty: false };
    for (const env of [{}, { SPINARCH_PROGRESS_SECONDS: '0' }]) {
      const p = progressBar(io, 'x', 10, 'items', env);
      for (let i = 1; i <= 10; i++) p.update(i);
      p.stop();
    }
    expect(err).toBe('');
  });
});
