import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { streamFor } from '../src/components/random.js';
import { syntheticDigit } from '../src/data/images.js';
import type { WeightSource } from '../src/data/weights.js';
import type { CliIo } from '../src/cli/io.js';
import { runCli } from '../src/cli/main.js';
import { ScenarioError } from '../src/scenario/errors.js';

/** A fresh temporary folder with the given files; returns its path. */
export function tempFiles(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'spinarch-test-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

/** Runs the CLI in-process and captures what it writes. */
export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => (out += t), err: (t) => (err += t), errIsTty: false, columns: 100 };
  const code = await runCli(argv, io);
  return { code, out, err };
}

/** The reference network of seeds 000 and 003, as scenario YAML. */
export const REFERENCE_NETWORK = `network:
  input: [28, 28, 1]
  layers:
    - { type: conv, kernel: 3, templates: 4 }
    - { type: relu }
    - { type: maxpool, size: 3, stride: 1 }
    - { type: conv, kernel: 3, templates: 4 }
    - { type: relu }
    - { type: maxpool, size: 3, stride: 1 }
    - { type: dense, outputs: 10 }
`;

/** An IDX file of unsigned bytes with the given dimensions. */
export function idxFile(dims: readonly number[], data: ArrayLike<number>): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(Uint8Array.from(data))]);
}

/**
 * A small labelled data set in MNIST's format (test and train files), made here: synthetic
 * digits shifted by up to two pixels, with speckle, drawn from a seeded stream.
 */
export function syntheticMnist(counts: { test: number; train: number }, seed = 1): string {
  const dir = tempFiles({});
  for (const set of ['test', 'train'] as const) {
    const n = counts[set];
    const rng = streamFor(seed, `synthetic-mnist/${set}`);
    const pixels = new Uint8Array(n * 784);
    const labels = new Uint8Array(n);
    for (let k = 0; k < n; k++) {
      const d = rng.int(10);
      labels[k] = d;
      const src = syntheticDigit(d).pixels;
      const [dy, dx] = [rng.int(5) - 2, rng.int(5) - 2];
      for (let y = 0; y < 28; y++) {
        for (let x = 0; x < 28; x++) {
          const sy = y - dy;
          const sx = x - dx;
          const v = sy >= 0 && sy < 28 && sx >= 0 && sx < 28 ? src[sy * 28 + sx]! : 0;
          const speckle = rng.uniform() < 0.03 ? 0.6 * rng.uniform() : 0;
          pixels[k * 784 + y * 28 + x] = Math.round(255 * Math.min(1, v + speckle));
        }
      }
    }
    const stem = set === 'test' ? 't10k' : 'train';
    writeFileSync(path.join(dir, `${stem}-images-idx3-ubyte.gz`), gzipSync(idxFile([n, 28, 28], pixels)));
    writeFileSync(path.join(dir, `${stem}-labels-idx1-ubyte.gz`), gzipSync(idxFile([n], labels)));
  }
  return dir;
}

/**
 * The reference network of seeds 000 and 003 in plain arithmetic, written independently of
 * spinarch's mapping: conv 3x3 -> clip to [-1, 1] -> ReLU -> 3x3 max, twice, on a 28 x 28
 * image; returns the last layer's maps, map by map. With `passes`, a convolution sums one
 * input map at a time and clips each partial sum, as a charge CeNN does.
 */
export function referenceCnn(weights: WeightSource, image: Float64Array, passes: boolean): number[] {
  type Maps = Float64Array[];
  const clip = (x: number): number => Math.max(-1, Math.min(1, x));
  const conv = (input: Maps, size: number, layer: number): Maps => {
    const lw = weights.forLayer(layer, [4, input.length, 3, 3], 4);
    const out = size - 2;
    return Array.from({ length: 4 }, (_, k) => {
      const o = new Float64Array(out * out);
      for (let y = 0; y < out; y++)
        for (let x = 0; x < out; x++) {
          let s = lw.bias[k]!;
          for (let j = 0; j < input.length; j++) {
            for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) s += lw.weights[((k * input.length + j) * 3 + dy) * 3 + dx]! * input[j]![(y + dy) * size + x + dx]!;
            if (passes) s = clip(s);
          }
          o[y * out + x] = clip(s);
        }
      return o;
    });
  };
  const relu = (m: Maps): Maps => m.map((a) => a.map((v) => Math.max(0, v)));
  const pool = (m: Maps, size: number): Maps =>
    m.map((a) => {
      const out = size - 2;
      const o = new Float64Array(out * out);
      for (let y = 0; y < out; y++)
        for (let x = 0; x < out; x++) {
          let best = -Infinity;
          for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) best = Math.max(best, a[(y + dy) * size + x + dx]!);
          o[y * out + x] = best;
        }
      return o;
    });
  return pool(relu(conv(pool(relu(conv([image], 28, 0)), 26), 24, 3)), 22).flatMap((a) => [...a]);
}

/** The message of the ScenarioError that `f` throws (any other outcome fails the test). */
export function scenarioErrorOf(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    if (error instanceof ScenarioError) return error.message;
    throw error;
  }
  throw new Error('no error');
}
