import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { IdxError, parseIdx, readIdxBytes, unpackIdx } from './idx.js';
import { projectRoot } from './project.js';

export type MnistSetName = 'test' | 'train';

/** One MNIST set in memory: images (count x rows x cols bytes) and labels. */
export interface MnistSet {
  readonly dir: string;
  readonly set: MnistSetName;
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  readonly images: Uint8Array;
  /** Undefined when the folder has no labels file for this set. */
  readonly labels: Uint8Array | undefined;
  /** SHA-256 of the uncompressed images and labels files (written into weights files). */
  readonly sha256: { readonly images: string; readonly labels: string | null };
}

/** The copy of MNIST that ships with spinarch (data/mnist). */
export const bundledMnistDir = (): string => path.join(projectRoot(), 'data', 'mnist');

function findIdx(dir: string, stem: string): string | undefined {
  for (const name of [stem, `${stem}.gz`]) {
    const file = path.join(dir, name);
    if (existsSync(file)) return file;
  }
  return undefined;
}

interface Checksums {
  readonly files: Readonly<Record<string, { readonly raw_sha256: string }>>;
}

function checksumsOf(dir: string): Checksums | undefined {
  const file = path.join(dir, 'checksums.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Checksums;
  } catch (error) {
    throw new IdxError(`${file}: not readable JSON (${(error as Error).message})`);
  }
}

/** Reads one IDX file, unpacked, checking its contents against the folder's checksums.json if it has one. */
function readChecked(file: string): { bytes: Uint8Array; sha256: string } {
  const bytes = unpackIdx(readIdxBytes(file), file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const expected = checksumsOf(path.dirname(file))?.files[path.basename(file)]?.raw_sha256;
  if (expected !== undefined && expected !== sha256) {
    throw new IdxError(`${file} is damaged: the SHA-256 of its contents is ${sha256}, checksums.json says ${expected}; restore it (git checkout -- ${file}) or give another copy with --mnist DIR`);
  }
  return { bytes, sha256 };
}

const loaded = new Map<string, MnistSet>();

/**
 * Loads the images and labels of one MNIST set from the IDX files in `dir` (gzipped or not),
 * once per process; the files' checksums are checked on that first read.
 */
export function loadMnist(dir: string, set: MnistSetName): MnistSet {
  const key = `${path.resolve(dir)}\u0000${set}`;
  const known = loaded.get(key);
  if (known !== undefined) return known;
  const stem = set === 'test' ? 't10k' : 'train';
  const imagesFile = findIdx(dir, `${stem}-images-idx3-ubyte`);
  if (imagesFile === undefined) throw new IdxError(`no ${stem}-images-idx3-ubyte(.gz) in ${dir}`);
  const imagesRead = readChecked(imagesFile);
  const images = parseIdx(imagesRead.bytes, imagesFile);
  if (images.dims.length !== 3) throw new IdxError(`${imagesFile}: expected 3 dimensions (count, rows, columns), got ${images.dims.length}`);
  const [count, rows, cols] = images.dims as [number, number, number];
  const labelsFile = findIdx(dir, `${stem}-labels-idx1-ubyte`);
  let labels: Uint8Array | undefined;
  let labelsSha: string | null = null;
  if (labelsFile !== undefined) {
    const read = readChecked(labelsFile);
    const parsed = parseIdx(read.bytes, labelsFile);
    if (parsed.dims.length !== 1) throw new IdxError(`${labelsFile}: expected 1 dimension, got ${parsed.dims.length}`);
    if (parsed.dims[0]! < count) throw new IdxError(`${labelsFile} has ${parsed.dims[0]} labels for the ${count} images of ${imagesFile}`);
    labels = parsed.data;
    labelsSha = read.sha256;
  }
  const result: MnistSet = { dir, set, count, rows, cols, images: images.data, labels, sha256: { images: imagesRead.sha256, labels: labelsSha } };
  loaded.set(key, result);
  return result;
}
