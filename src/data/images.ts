import { IdxError } from './idx.js';
import { loadMnist, type MnistSet, type MnistSetName } from './mnist.js';

/** One input image: grey levels in [0, 1], row-major. */
export interface InputImage {
  /**
   * What the image is, whatever run it is in (`mnist/test/42`, `synthetic/3`): noise streams
   * are keyed by it, so an image draws the same noise in any run, worker or order.
   */
  readonly id: string;
  readonly source: string;
  readonly label: number | undefined;
  readonly height: number;
  readonly width: number;
  readonly pixels: Float64Array;
}

/** Where a run's images come from; image k is the k-th of the run. */
export interface ImageSource {
  readonly description: string;
  /** How many images it has from its first (Infinity for generated ones). */
  readonly count: number;
  image(k: number): InputImage;
  /** How to make the same source in another thread (imageSourceOf), if it can be. */
  readonly spec?: ImageSpec;
}

/** A source as plain data, to send to worker threads. */
export type ImageSpec =
  | { readonly kind: 'synthetic'; readonly first: number; readonly input: readonly number[] }
  | { readonly kind: 'mnist'; readonly dir: string; readonly first: number; readonly set: MnistSetName; readonly count?: number };

/** The source a spec describes. */
export const imageSourceOf = (spec: ImageSpec): ImageSource =>
  spec.kind === 'synthetic' ? syntheticDigits(spec.first, spec.input) : mnistImages(spec.dir, spec.first, spec.set, spec.count);

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

/**
 * Renders digit `d` as a `size` x `size` anti-aliased stroke image, the way MNIST digits sit
 * in their 28 x 28 frame (a 20-pixel-high box, centred), scaled to the frame's size.
 */
export function syntheticDigit(d: number, id = `synthetic/${d}`, size = 28): InputImage {
  return { id, source: `synthetic digit ${d}`, label: d, height: size, width: size, pixels: renderedDigit(d, size).slice() };
}

/** Rendered digits by digit and size: a run feeds the same ten again and again. */
const rendered = new Map<string, Float64Array>();

function renderedDigit(d: number, size: number): Float64Array {
  const key = `${d}/${size}`;
  const known = rendered.get(key);
  if (known !== undefined) return known;
  const pixels = renderDigit(d, size);
  if (size <= 256) rendered.set(key, pixels);
  return pixels;
}

function renderDigit(d: number, size: number): Float64Array {
  const pixels = new Float64Array(size * size);
  const names = DIGITS[d]!;
  const strokes = names === 'one' ? [SEGMENTS.one!] : [...names].map((s) => SEGMENTS[s]!);
  // In a 28-pixel frame the unit grid maps to x 9..19 and y 4..24 pixels (pixel centres at +0.5).
  const k = size / 28;
  const unit = 10 * k;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const ux = (x + 0.5 - 9 * k) / unit;
      const uy = (y + 0.5 - 4 * k) / unit;
      let dist = Infinity;
      for (const s of strokes) dist = Math.min(dist, segmentDistance(ux, uy, s) * unit);
      // Stroke half-width 1.3 px (in a 28-pixel frame) with a 1 px soft edge.
      pixels[y * size + x] = Math.max(0, Math.min(1, 1.3 * k + 0.5 - dist));
    }
  }
  return pixels;
}

/**
 * Synthetic digits for a network input: rendered in MNIST's 28 x 28 frame, or in a larger
 * square frame when the network takes more than 28 x 28, so that any image input is fed.
 */
export function syntheticDigits(first: number, input: readonly number[] = [28, 28, 1]): ImageSource {
  const [h, w] = input.length === 3 ? [input[0]!, input[1]!] : [Math.ceil(Math.sqrt(input[0]!)), Math.ceil(Math.sqrt(input[0]!))];
  const size = Math.max(28, h, w);
  return {
    description: `synthetic digits from ${first}${size === 28 ? '' : ` (${size} x ${size})`}`,
    count: Infinity,
    image: (k) => syntheticDigit((first + k) % 10, `synthetic/${first + k}`, size),
    spec: { kind: 'synthetic', first, input: [...input] },
  };
}

/** The grey levels of image `i` of a loaded MNIST set, in [0, 1]. */
export function mnistImage(data: MnistSet, i: number): InputImage {
  const n = data.rows * data.cols;
  const pixels = new Float64Array(n);
  const base = i * n;
  for (let p = 0; p < n; p++) pixels[p] = data.images[base + p]! / 255;
  return { id: `mnist/${data.set}/${i}`, source: `MNIST ${data.set} #${i}`, label: data.labels?.[i], height: data.rows, width: data.cols, pixels };
}

/**
 * MNIST images from the IDX files in `dir`, `count` of them (all that remain if not given)
 * starting at `first` (test set unless `set` is 'train'). The range is checked here, before
 * anything runs.
 */
export function mnistImages(dir: string, first: number, set: MnistSetName = 'test', count?: number, flag = '--index'): ImageSource {
  const data = loadMnist(dir, set);
  if (!Number.isSafeInteger(first) || first < 0 || first >= data.count) {
    throw new IdxError(`${flag} ${first} is outside the ${data.count} images of the MNIST ${set} set (0 to ${data.count - 1})`);
  }
  const available = data.count - first;
  if (count !== undefined && count > available) {
    throw new IdxError(`${count} images from ${flag} ${first} run past the ${data.count} images of the MNIST ${set} set (at most ${available} from there)`);
  }
  return {
    description: `MNIST ${set} images from index ${first} (${dir})${data.labels === undefined ? ', no labels' : ''}`,
    count: available,
    image: (k) => {
      if (k >= available) throw new IdxError(`image ${first + k} is past the ${data.count} images of the MNIST ${set} set`);
      return mnistImage(data, first + k);
    },
    spec: { kind: 'mnist', dir, first, set, ...(count === undefined ? {} : { count }) },
  };
}

/** An image that cannot feed a network's input (reported at network.input). */
export class InputFitError extends Error {
  override name = 'InputFitError';
}

/**
 * Fits an image to a network's input: the same size as is, a smaller input by cropping the
 * centre (MNIST digits sit in the central 20 x 20 of their 28 x 28 frame), a vector input by
 * flattening row by row.
 */
export function fitImage(image: InputImage, input: readonly number[]): Float64Array {
  const [h, w] = input.length === 3 ? [input[0]!, input[1]!] : [Math.round(Math.sqrt(input[0]!)), Math.round(Math.sqrt(input[0]!))];
  if (input.length === 3 && input[2] !== 1) {
    throw new InputFitError(`an input of ${input[2]} maps cannot take a grey image (one map): use [${h}, ${w}, 1]`);
  }
  if (input.length === 1 && h * w !== input[0]) {
    throw new InputFitError(`a vector input of ${input[0]} values cannot take a square image: use a square number of values (784 for 28 x 28, 400 for 20 x 20)`);
  }
  if (h > image.height || w > image.width) {
    throw new InputFitError(`the network input ${h}x${w} is larger than the ${image.height}x${image.width} images fed (${image.source})`);
  }
  const oy = Math.floor((image.height - h) / 2);
  const ox = Math.floor((image.width - w) / 2);
  const out = new Float64Array(h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = image.pixels[(y + oy) * image.width + x + ox]!;
  return out;
}
