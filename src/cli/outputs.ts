import { closeSync, existsSync, fstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { deviceTableFiles } from '../arch/device-tables.js';
import { weightsFileOf, type Scenario } from '../arch/scenario.js';
import { WEIGHTS_FORMAT } from '../data/weights.js';
import { READ_NO_WAIT } from '../scenario/files.js';
import type { RawScenario } from '../scenario/load.js';
import { UsageError } from './io.js';

/**
 * What a command may write over. An output path that is one of the command's inputs is
 * refused; an existing file of another kind (notes.txt for a results file) is refused unless
 * --force; so is anything that is not a regular file. All of it before any work is done.
 */
export type OutputKind = 'results' | 'svg' | 'perfetto' | 'perfetto-proto' | 'vcd' | 'weights' | 'schema' | 'html' | 'scenario' | 'table';

const KIND_NAMES: Record<OutputKind, string> = {
  results: 'a results file (JSON lines from spinarch sweep)',
  svg: 'an SVG drawing',
  perfetto: 'a Perfetto trace (trace-event JSON)',
  'perfetto-proto': "a Perfetto trace (Perfetto's protobuf)",
  html: 'an HTML page',
  vcd: 'a VCD file',
  weights: 'a weights file (from spinarch train)',
  schema: 'a JSON Schema',
  scenario: 'a scenario (YAML with a design: key)',
  table: 'a device table (CSV from spinarch device --csv)',
};

/** One output of a command: the option that names it, the file, and what it holds. */
export interface Output {
  readonly flag: string;
  readonly file: string;
  readonly kind: OutputKind;
}

/** The first bytes of a file, enough to tell its kind. */
function head(file: string, bytes = 4096): string {
  const fd = openSync(file, READ_NO_WAIT);
  try {
    const buffer = Buffer.alloc(bytes);
    const n = readSync(fd, buffer, 0, bytes, 0);
    return buffer.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Whether a file's first bytes look like a file of `kind` (the file spinarch wrote last time). */
function looksLike(kind: OutputKind, text: string): boolean {
  const t = text.trimStart();
  switch (kind) {
    case 'results': {
      const first = t.split('\n')[0]!;
      // A first line cut by the 4 KiB head is judged by its start.
      if (!t.includes('\n')) return /^\{"key":"/.test(first);
      try {
        const v = JSON.parse(first) as unknown;
        return typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>)['key'] === 'string' && typeof (v as Record<string, unknown>)['point'] === 'object';
      } catch {
        return false;
      }
    }
    case 'svg':
      return t.startsWith('<svg') || (t.startsWith('<?xml') && t.includes('<svg'));
    case 'perfetto':
      return /^\{\s*"(displayTimeUnit|traceEvents)"/.test(t);
    case 'perfetto-proto':
      // A Trace starts with its first packet: field 1, length-delimited (0x0a).
      return text.charCodeAt(0) === 0x0a;
    case 'html':
      return /^<!doctype html/i.test(t);
    case 'vcd':
      return /^\$(date|version|timescale|comment)\b/.test(t);
    case 'weights':
      return new RegExp(`^\\{\\s*"format"\\s*:\\s*"${WEIGHTS_FORMAT.replace('/', '\\/')}"`).test(t);
    case 'schema':
      return /^\{\s*"\$schema"/.test(t);
    case 'scenario':
      return /(^|\n)design:\s*\S/.test(t);
    case 'table':
      return /^# spinarch device /.test(t);
  }
}

/** The same file, even through another spelling or a link. */
function sameFile(a: string, b: string): boolean {
  if (path.resolve(a) === path.resolve(b)) return true;
  if (!existsSync(a) || !existsSync(b)) return false;
  try {
    if (realpathSync(a) === realpathSync(b)) return true;
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/** An output name as given on the command line (before it is resolved): a file name, not an option or '-'. */
export function checkOutputName(flag: string, name: string): void {
  if (name.trim() === '') throw new UsageError(`${flag} needs a file name, got '${name}'`);
  if (name.includes('\u0000')) throw new UsageError(`${flag} ${JSON.stringify(name)}: a file name cannot hold a NUL character`);
  // '-' is not standard output here, and '--json' was meant as an option: neither is written as a file by that name.
  if (name.startsWith('-')) throw new UsageError(`${flag} ${name}: that looks like ${name === '-' ? 'standard output, which spinarch does not write files to' : 'an option, not a file name'}; if it is a file name, write it ./${name}`);
}

/**
 * Checks where a command will write before it does anything: each output's directory exists,
 * no output is an input or another output, and what it would replace is a regular file of its
 * own kind (or `force`).
 */
export function checkOutputs(outputs: readonly Output[], inputs: readonly string[], force: boolean): void {
  for (const [i, o] of outputs.entries()) {
    checkOutputName(o.flag, o.file);
    const input = inputs.find((f) => sameFile(f, o.file));
    if (input !== undefined) throw new UsageError(`${o.flag} ${o.file} is also an input of this command (${input}): writing it would destroy it; give the output another name`);
    const twin = outputs.slice(0, i).find((p) => sameFile(p.file, o.file));
    if (twin !== undefined) throw new UsageError(`${twin.flag} and ${o.flag} name the same file, ${o.file}: give each its own`);
    const dir = path.dirname(path.resolve(o.file));
    if (!existsSync(dir)) throw new UsageError(`${o.flag} ${o.file}: no such directory ${dir} (create it first)`);
    if (!statSync(dir).isDirectory()) throw new UsageError(`${o.flag} ${o.file}: ${dir} is not a directory`);
    if (!existsSync(o.file)) continue;
    let fd: number;
    try {
      fd = openSync(o.file, READ_NO_WAIT);
    } catch (error) {
      throw new UsageError(`${o.flag} ${o.file}: cannot read what it would replace: ${(error as Error).message}`);
    }
    const stat = fstatSync(fd);
    closeSync(fd);
    if (stat.isDirectory()) throw new UsageError(`${o.flag} ${o.file}: it is a directory, not a file`);
    if (!stat.isFile()) throw new UsageError(`${o.flag} ${o.file}: it is not a regular file (a device or a pipe is never written to)`);
    if (force || stat.size === 0) continue;
    if (!looksLike(o.kind, head(o.file))) {
      throw new UsageError(`${o.flag} ${o.file}: it exists and is not ${KIND_NAMES[o.kind]}, so it would be replaced; give another name, or --force to replace it`);
    }
  }
}

/** Every file a scenario was read from (the file, what it extends, its weights file and device tables). */
export function scenarioInputs(raw: RawScenario, scenario?: Scenario): string[] {
  const files = new Set<string>([path.resolve(raw.file)]);
  for (const s of raw.sources.values()) if (!s.location.file.startsWith('--')) files.add(path.resolve(s.location.file));
  const weights = scenario === undefined ? undefined : weightsFileOf(scenario);
  if (weights !== undefined) files.add(weights);
  if (scenario?.onnx !== undefined) files.add(scenario.onnx.file);
  for (const table of deviceTableFiles(scenario?.raw.data ?? raw.data)) files.add(path.resolve(table));
  return [...files];
}
