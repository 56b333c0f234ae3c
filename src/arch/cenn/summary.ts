import type { StageRun } from '../../components/cenn/sequencer.js';
import type { ImageTotals } from '../../components/ledger.js';
import type { Ps } from '../../scheduler/time.js';
import { showShape, type Layer } from '../network.js';
import type { CennProgram } from './program.js';

/** A run of layers that starts at a convolution (conv-ReLU-pool in the reference network). */
export interface Sequence {
  readonly layers: readonly number[];
  readonly stages: number;
}

/** Splits the mapped layers into sequences, each starting at a conv layer. */
export function sequencesOf(program: CennProgram, layers: readonly Layer[]): Sequence[] {
  const out: { layers: number[]; stages: number }[] = [];
  for (const layer of layers) {
    const stages = program.stagesPerLayer.get(layer.index);
    if (stages === undefined || program.unmapped.includes(layer)) continue;
    if (out.length === 0 || layer.spec.type === 'conv') out.push({ layers: [], stages: 0 });
    const seq = out[out.length - 1]!;
    seq.layers.push(layer.index);
    seq.stages += stages;
  }
  return out;
}

const describe = (l: Layer): string => {
  const s = l.spec;
  const what = s.type === 'conv' ? `conv ${s.kernel}x${s.kernel}, ${s.templates} templates` : s.type === 'maxpool' ? `max-pool ${s.size}x${s.size}/${s.stride}` : s.type === 'dense' ? `dense ${s.outputs}` : 'ReLU';
  return `${what} (${showShape(l.input)} -> ${showShape(l.output)})`;
};

/** Stage counts per layer and the layers the CeNN leaves to other hardware. */
export function programSummary(program: CennProgram, layers: readonly Layer[]): Record<string, unknown> {
  return {
    layers: layers.map((l) => ({ layer: l.index, type: l.spec.type, description: describe(l), stages: program.stagesPerLayer.get(l.index) ?? 0, mapped: !program.unmapped.includes(l) })),
    unmapped_layers: program.unmapped.map(describe),
  };
}

/**
 * Time of each layer sequence in one image, from when its first stage started to when the
 * next sequence's first stage started (or the image ended). `runs` are the image's stages.
 */
export function sequenceSpans(runs: readonly StageRun[], image: ImageTotals, seqs: readonly Sequence[]): Ps[] {
  return seqs.map((seq, i) => {
    const begin = runs.find((r) => seq.layers.includes(r.layer))?.start ?? image.start;
    const nextSeq = seqs[i + 1];
    const end = nextSeq === undefined ? image.end : (runs.find((r) => nextSeq.layers.includes(r.layer))?.start ?? image.end);
    return end - begin;
  });
}

/** Each layer sequence's time, averaged over the images (their spans summed in image order). */
export function sequenceTimes(spans: readonly (readonly Ps[])[], seqs: readonly Sequence[]): { layers: readonly number[]; stages: number; latency_ps: Ps }[] {
  return seqs.map((seq, i) => {
    let total = 0;
    for (const s of spans) total += s[i]!;
    return { layers: seq.layers, stages: seq.stages, latency_ps: spans.length > 0 ? total / spans.length : 0 };
  });
}

/** CeNN stages run per image, as the ledger counted them. */
export const stagesRun = (images: readonly ImageTotals[]): number =>
  images.reduce((a, img) => a + (img.counts['stage'] ?? 0), 0) / Math.max(1, images.length);
