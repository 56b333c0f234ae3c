import { z } from 'zod';
import { topicKey, type Topic, type TopicKey } from '../../scheduler/bus.js';
import { quantity, wholeNumber } from '../../scenario/fields.js';
import type { ActionSpec, SimContext } from '../component.js';
import { IMAGE_IN } from '../cenn/input-port.js';
import { STAGES, packPlanes, stageOp, unpackPlanes, type PlaneSamples, type StageCommand } from '../cenn/messages.js';
import { IDENTITY, type PlaneData } from '../cenn/template.js';
import { toCodes } from '../converters/quantize.js';
import { FEATURES, featuresRequestOf } from '../digital/classifier.js';
import { MemoryComponent } from '../memory.js';

export const stateMemoryParams = z.strictObject({
  word_bits: wholeNumber(1, 64),
  read_time: quantity('time', { min: 0 }),
  write_time: quantity('time', { min: 0 }),
  energy_per_bit: quantity('energy', { min: 0 }),
});

export type StateMemoryParams = z.output<typeof stateMemoryParams>;

/** Tells the controller a pass's results are stored. */
export const PASS_DONE = topicKey<{ readonly stage: number }>('cenn/pass-done');

/** A plane of a memory by reference: `name`, or one map of it, `name#k`. */
export function selectPlane(planes: ReadonlyMap<string, PlaneData>, ref: string, who: string): PlaneData {
  const [name, map] = ref.split('#') as [string, string | undefined];
  const p = planes.get(name);
  if (p === undefined) throw new Error(`${who}: no plane '${name}' in memory`);
  if (map === undefined) return p;
  const k = Number(map);
  const size = p.shape.h * p.shape.w;
  return { shape: { ...p.shape, maps: 1 }, encoding: p.encoding, values: p.values.subarray(k * size, (k + 1) * size) };
}

/** An image as the host leaves it in the state memory: its grey levels as `bits`-bit codes, plane 'v'. */
export function imagePlanes(pixels: Float64Array, shape: PlaneData['shape'], bits: number): Map<string, PlaneData> {
  return new Map([['v', { shape, encoding: IDENTITY, values: toCodes(pixels, bits) }]]);
}

/**
 * The digital memory that holds a charge CeNN's state between stages, as codes. It is
 * wide (every value of a plane moves in one access time), and it counts every word it reads
 * or writes. A stage may read one map of a plane as `name#map`.
 */
export class StateMemory extends MemoryComponent {
  private planes = new Map<string, PlaneData>();
  private readonly toDac: Topic<PlaneSamples>;
  private readonly done: Topic<{ readonly stage: number }>;
  private readonly readAction: ActionSpec;
  private readonly writeAction: ActionSpec;

  constructor(ctx: SimContext, name: string, readonly params: StateMemoryParams, output: TopicKey<PlaneSamples>, input: TopicKey<PlaneSamples>) {
    super(ctx, name);
    const wordEnergy = params.word_bits * params.energy_per_bit;
    this.readAction = this.declareEnergy('memory_read', wordEnergy, `read one ${params.word_bits}-bit word`);
    this.writeAction = this.declareEnergy('memory_write', wordEnergy, `write one ${params.word_bits}-bit word`);
    this.toDac = ctx.bus.topic(output);
    this.done = ctx.bus.topic(PASS_DONE);
    // The host leaves each image in memory before it starts; that transfer is outside the accelerator.
    ctx.bus.topic(IMAGE_IN).listen((m) => {
      this.planes = imagePlanes(m.pixels, m.shape, params.word_bits);
    });
    const features = ctx.bus.topic(FEATURES);
    ctx.bus.topic(featuresRequestOf(name)).listen((r) => features.publish({ image: r.image, values: this.plane('v').values }));
    ctx.bus.topic(STAGES).listen((cmd) => {
      if (cmd.holder === name) this.read(cmd);
    });
    ctx.bus.topic(input).listen((s) => this.write(s));
  }

  private plane(ref: string): PlaneData {
    return selectPlane(this.planes, ref, this.name);
  }

  private read(cmd: StageCommand): void {
    const out = new Map<string, PlaneData>();
    let words = 0;
    for (const ref of Object.keys(cmd.step.inputs)) {
      const p = this.plane(ref);
      out.set(ref, p);
      words += p.values.length;
    }
    const op = stageOp(cmd.step.index);
    this.countRead(words, this.params.word_bits, op);
    this.perform(this.readAction, words, { duration: this.params.read_time, op, values: { pass: cmd.stage, words } });
    this.toDac.publishAfter(this.params.read_time, packPlanes(cmd.stage, this.name, out, op));
  }

  private write(s: PlaneSamples): void {
    let words = 0;
    for (const [name, p] of unpackPlanes(s)) {
      this.planes.set(name, { shape: p.shape, encoding: p.encoding, values: Float64Array.from(p.values) });
      words += p.values.length;
    }
    this.countWrite(words, this.params.word_bits, s.op);
    this.perform(this.writeAction, words, { duration: this.params.write_time, ...(s.op === undefined ? {} : { op: s.op }), values: { pass: s.meta.stage, words } });
    this.done.publishAfter(this.params.write_time, { stage: s.meta.stage });
  }
}
