import { closeSync, existsSync, fsyncSync, openSync, truncateSync, writeSync } from 'node:fs';
import { writeFileAtomic } from '../data/output-file.js';
import { FileReadError, readBoundedFile } from '../scenario/files.js';
import { ResultsFileError } from './sweep-error.js';
import type { ResultLine } from './measure.js';
import { readPartStamp } from './shard.js';

/**
 * A results file: JSON lines, one per point, appended as points finish. A process killed
 * in the middle of a write leaves at most its last line half-written; reading finds it, and
 * the next sweep cuts it off before appending.
 */
export interface ResultsRead {
  /** Good lines in file order; a key written again (a failed point run again) keeps its last line. */
  readonly lines: readonly ResultLine[];
  /** Bytes up to the end of the last complete line. */
  readonly goodBytes: number;
  /** Whether the file ends in a half-written line. */
  readonly partialTail: boolean;
  /** 1-based numbers of complete lines that are not results (damaged), and of lines a later one replaces. */
  readonly damaged: readonly number[];
  readonly repeated: readonly number[];
}

const isResultLine = (v: unknown): v is ResultLine => {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r['key'] === 'string' && typeof r['point'] === 'object' && r['point'] !== null && (typeof r['metrics'] === 'object' || typeof r['error'] === 'string');
};

/** Results files are read whole: a sweep of 10,000 points writes a few MB; anything past this is not one. */
export const RESULTS_FILE_LIMIT = 256 * 1024 * 1024;

/** Reads a results file; a missing file is an empty one. */
export function readResults(file: string): ResultsRead {
  if (!existsSync(file)) return { lines: [], goodBytes: 0, partialTail: false, damaged: [], repeated: [] };
  let text: string;
  try {
    text = readBoundedFile(file, RESULTS_FILE_LIMIT, 'results file').toString('utf8');
  } catch (error) {
    throw new ResultsFileError(error instanceof FileReadError ? error.message : `cannot read results file ${file}: ${(error as Error).message}`);
  }
  const end = text.lastIndexOf('\n') + 1;
  const complete = text.slice(0, end);
  const byKey = new Map<string, { line: ResultLine; at: number }>();
  const damaged: number[] = [];
  const repeated: number[] = [];
  complete.split('\n').forEach((t, i) => {
    if (t.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch {
      damaged.push(i + 1);
      return;
    }
    if (!isResultLine(v)) {
      damaged.push(i + 1);
      return;
    }
    const before = byKey.get(v.key);
    if (before !== undefined) repeated.push(before.at);
    // A part's stamp is kept only if it is one.
    const { part, ...rest } = v;
    const stamp = readPartStamp(part);
    byKey.set(v.key, { line: stamp === undefined ? rest : { ...rest, part: stamp }, at: i + 1 });
  });
  const lines = [...byKey.values()].sort((a, b) => a.at - b.at).map((e) => e.line);
  return { lines, goodBytes: Buffer.byteLength(complete), partialTail: end < text.length, damaged, repeated };
}

/** The text of one result: one line of JSON with a newline. */
export const resultText = (line: ResultLine): string => `${JSON.stringify({ key: line.key, point: line.point, ...(line.error === undefined ? { metrics: line.metrics } : { error: line.error }), spinarch: line.spinarch, ...(line.part === undefined ? {} : { part: line.part }) })}\n`;

/**
 * Appends results to a file, each line in one write (and synced), so a kill leaves whole
 * lines and at most one torn last line.
 */
export class ResultsAppender {
  private readonly fd: number;

  constructor(readonly file: string, goodBytes: number) {
    try {
      // Cut off a half-written last line before appending after it.
      if (existsSync(file)) truncateSync(file, goodBytes);
      this.fd = openSync(file, 'a');
    } catch (error) {
      throw new ResultsFileError(`cannot write results file ${file}: ${(error as Error).message}`);
    }
  }

  append(line: ResultLine): void {
    writeSync(this.fd, resultText(line));
    fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Rewrites a results file whole (through a temporary file and a rename, so a kill leaves the old or the new). */
export function rewriteResults(file: string, lines: readonly ResultLine[]): void {
  try {
    writeFileAtomic(file, lines.map(resultText).join(''));
  } catch (error) {
    throw new ResultsFileError(`cannot write results file ${file}: ${(error as Error).message}`);
  }
}
