import { z } from 'zod';
import { topicKey, type TopicKey } from '../../scheduler/bus.js';
import { ServerPool } from '../../scheduler/server-pool.js';
import { quantity, wholeNumber } from '../../scenario/fields.js';
import type { ActionSpec, SimContext } from '../component.js';
import { FEATURES, featuresRequestOf } from '../digital/classifier.js';
import { MemoryComponent } from '../memory.js';
import { IMAGES } from '../records.js';

export const sramParams = z.strictObject({
  /** Independent banks; word `a` lives in bank `a mod banks`. */
  banks: wholeNumber(1, 4096),
  /** Ports per bank; each serves one access at a time. */
  ports_per_bank: wholeNumber(1, 64),
  /** Capacity in words (at most 2^24: 128 MB of simulated storage). */
  words: wholeNumber(1, 1 << 24),
  read_latency: quantity('time', { min: 1 }),
  write_latency: quantity('time', { min: 1 }),
  /** Energy per bit accessed (seed 003: 41.8 fJ for 16 nm 6T SRAM). */
  energy_per_bit: quantity('energy', { min: 0 }),
});

export type SramParams = z.output<typeof sramParams>;

/** A word read or written; the reply goes to `reply` when the access completes. */
export interface SramAccess {
  readonly id: number;
  readonly kind: 'read' | 'write';
  readonly address: number;
  /** The word to write (an integer code). */
  readonly value?: number;
  readonly op?: string;
  readonly reply: TopicKey<SramReply>;
}

export interface SramReply {
  readonly id: number;
  readonly address: number;
  /** The word read (or written). */
  readonly value: number;
  readonly op?: string;
}

export const sramAccessOf = (sram: string) => topicKey<SramAccess>(`${sram}/access`);

/**
 * An SRAM of `word_bits`-bit words in interleaved banks. Each bank's ports serve one access
 * at a time for the access latency, so accesses to a busy bank queue (first come, first
 * served) and the design's latency follows. Every access costs `word_bits` times the energy
 * per bit, and counts as traffic.
 */
export class Sram extends MemoryComponent {
  private readonly data: Float64Array;
  readonly ports: ServerPool[];
  private readonly read: ActionSpec;
  private readonly write: ActionSpec;

  constructor(
    ctx: SimContext,
    name: string,
    readonly params: SramParams,
    readonly wordBits: number,
  ) {
    super(ctx, name);
    this.data = new Float64Array(params.words);
    this.ports = Array.from({ length: params.banks }, (_, b) => new ServerPool(ctx.kernel, `${name}/bank[${b}]`, params.ports_per_bank));
    this.read = this.declareEnergy('sram_read', wordBits * params.energy_per_bit, `read one ${wordBits}-bit word`);
    this.write = this.declareEnergy('sram_write', wordBits * params.energy_per_bit, `write one ${wordBits}-bit word`);
    ctx.bus.topic(sramAccessOf(name)).listen((a) => this.access(a));
    // The head's input port reads the result words (and charges the reads as its own).
    const features = ctx.bus.topic(FEATURES);
    ctx.bus.topic(featuresRequestOf(name)).listen((r) => {
      if (r.region === undefined) throw new Error(`${name}: a feature request needs the region of words to read`);
      this.check(r.region.address + r.region.words - 1);
      features.publish({ image: r.image, values: this.data.slice(r.region.address, r.region.address + r.region.words) });
    });
    ctx.bus.topic(IMAGES).listen((m) => {
      if (m.phase === 'start') for (const p of this.ports) p.resetStatistics();
    });
  }

  /** Puts words in place before a run (the host's loading; not an access of the design). */
  preload(address: number, words: ArrayLike<number>): void {
    this.check(address + words.length - 1);
    this.data.set(words as ArrayLike<number>, address);
  }

  /** The word at `address` as it is now (for inspection, not an access). */
  peek(address: number): number {
    this.check(address);
    return this.data[address]!;
  }

  /** Mean utilization of all ports over [from, to]. */
  utilization(from: number, to: number): number {
    return this.ports.reduce((a, p) => a + p.utilization(from, to), 0) / this.ports.length;
  }

  private check(address: number): void {
    if (!Number.isSafeInteger(address) || address < 0 || address >= this.params.words) {
      throw new RangeError(`${this.name}: address ${address} is outside its ${this.params.words} words`);
    }
  }

  private access(a: SramAccess): void {
    this.check(a.address);
    const bank = a.address % this.params.banks;
    const latency = a.kind === 'read' ? this.params.read_latency : this.params.write_latency;
    this.ports[bank]!.acquire(1, ([port]) => {
      const op = a.op === undefined ? {} : { op: a.op };
      const values = this.tracing ? { values: { address: a.address, bank, port: port!, ...(a.kind === 'write' ? { value: a.value ?? 0 } : {}) } } : {};
      if (a.kind === 'read') {
        this.countRead(1, this.wordBits, a.op);
        this.perform(this.read, 1, { duration: latency, ...op, ...values });
      } else {
        this.countWrite(1, this.wordBits, a.op);
        this.perform(this.write, 1, { duration: latency, ...op, ...values });
      }
      this.signal(`bank[${bank}]/port[${port!}]`, '1', a.op);
      this.kernel.after(latency, () => {
        this.ports[bank]!.release([port!]);
        this.signal(`bank[${bank}]/port[${port!}]`, '0', a.op);
        if (a.kind === 'write') this.data[a.address] = a.value ?? 0;
        this.ctx.bus.topic(a.reply).publish({ id: a.id, address: a.address, value: this.data[a.address]!, ...op });
      }, 0);
    });
  }
}
