import { existsSync } from 'node:fs';
import path from 'node:path';
import { readIdx, IdxError, type IdxArray } from './idx.js';

/** One input image: grey levels in [0, 1], row-major. */
export interface InputImage {
  readonly source: string;
  readonly label: number | undefined;
  readonly height: number;
  readonly width: number;
  readonly pixels: Float64Array;
}

/** Where a run's images come from; image k is the k-th of the run. */
export interface ImageSource {
  readonly description: string;
  image(k: number): InputImage;
}

// Seven-segment strokes on a unit grid (x 0..1, y 0..2), enough to tell digits apart.
type Point = readonly [number, number];
const P: Record<string, Point> = { tl: [0, 0], tr: [1, 0], ml: [0, 1], mr: [1, 1], bl: [0, 2], br: [1, 2] };
const SEGMENTS: Record<string, readonly [Point, Point]> = {
  a: [P.tl!, P.tr!],
  b: [P.tr!, P.mr!],
  c: [P.mr!, P.br!],
  d: [P.bl!, P.br!],
  e: [P.ml!, P.bl!],
  f: [P.tl!, P.ml!],
  g: [P.ml!, P.mr!],
  one: [[0.55, 0], [0.55, 2]],
};
const DIGITS = ['abcdef', 'one', 'abged', 'abgcd', 'fgbc', 'afgcd', 'afgedc', 'abc', 'abcdefg', 'abcdfg'];

function segmentDistance(px: number, py: number, [[x0, y0], [x1, y1]]: readonly [Point, Point]): number {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const t = Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (x0 + t * dx), py - (y0 + t * dy));
}

/** Renders digit `d` as a 28 x 28 anti-aliased stroke image, the way MNIST digits sit (20 x 20 box, centred). */
export function syntheticDigit(d: number): InputImage {
  const size = 28;
  const pixels = new Float64Array(size * size);
  const names = DIGITS[d]!;
  const strokes = names === 'one' ? [SEGMENTS.one!] : [...names].map((s) => SEGMENTS[s]!);
  // The unit grid maps to x 9..19 and y 4..24 pixels (pixel centres at +0.5).
  const sx = 10;
  const sy = 10;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const ux = (x + 0.5 - 9) / sx;
      const uy = (y + 0.5 - 4) / sy;
      let dist = Infinity;
      for (const s of strokes) dist = Math.min(dist, segmentDistance(ux, uy, s) * sx);
      // Stroke half-width 1.3 px with a 1 px soft edge.
      pixels[y * size + x] = Math.max(0, Math.min(1, 1.3 + 0.5 - dist));
    }
  }
  return { source: `synthetic digit ${d}`, label: d, height: size, width: size, pixels };
}

export function syntheticDigits(first: number): ImageSource {
  return {
    description: `synthetic digits from ${first}`,
    image: (k) => syntheticDigit((first + k) % 10),
  };
}

function findIdx(dir: string, stem: string): string {
  for (const name of [stem, `${stem}.gz`]) {
    const file = path.join(dir, name);
    if (existsSync(file)) return file;
  }
  throw new IdxError(`no ${stem}(.gz) in ${dir}`);
}

/** MNIST images from the IDX files in `dir`, starting at `first` (test set unless `set` is 'train'). */
export function mnistImages(dir: string, first: number, set: 'test' | 'train' = 'test'): ImageSource {
  const stem = set === 'test' ? 't10k' : 'train';
  const images: IdxArray = readIdx(findIdx(dir, `${stem}-images-idx3-ubyte`));
  if (images.dims.length !== 3) throw new IdxError(`${stem} images: expected 3 dimensions, got ${images.dims.length}`);
  let labels: IdxArray | undefined;
  try {
    labels = readIdx(findIdx(dir, `${stem}-labels-idx1-ubyte`));
  } catch {
    labels = undefined;
  }
  const [count, rows, cols] = images.dims as [number, number, number];
  if (!Number.isSafeInteger(first) || first < 0 || first >= count) {
    throw new IdxError(`--index ${first} is outside the ${count} images of the MNIST ${set} set`);
  }
  return {
    description: `MNIST ${set} images from index ${first} (${dir})`,
    image: (k) => {
      const i = first + k;
      if (i >= count) throw new IdxError(`image ${i} is past the ${count} images of the MNIST ${set} set`);
      const pixels = new Float64Array(rows * cols);
      const base = i * rows * cols;
      for (let p = 0; p < rows * cols; p++) pixels[p] = images.data[base + p]! / 255;
      return { source: `MNIST ${set} #${i}`, label: labels?.data[i], height: rows, width: cols, pixels };
    },
  };
}

/**
 * Fits an image to a network's input: the same size as is, a smaller input by cropping the
 * centre (MNIST digits sit in the central 20 x 20 of their 28 x 28 frame), a vector input by
 * flattening row by row.
 */
export function fitImage(image: InputImage, input: readonly number[]): Float64Array {
  const [h, w] = input.length === 3 ? [input[0]!, input[1]!] : [Math.round(Math.sqrt(input[0]!)), Math.round(Math.sqrt(input[0]!))];
  if ((input.length === 3 && input[2] !== 1) || (input.length === 1 && h * w !== input[0])) {
    throw new IdxError(`a ${image.height}x${image.width} grey image cannot feed a network input of [${input.join(', ')}]`);
  }
  if (h > image.height || w > image.width) {
    throw new IdxError(`the network input ${h}x${w} is larger than the ${image.height}x${image.width} image`);
  }
  const oy = Math.floor((image.height - h) / 2);
  const ox = Math.floor((image.width - w) / 2);
  const out = new Float64Array(h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = image.pixels[(y + oy) * image.width + x + ox]!;
  return out;
}
