import { z } from 'zod';
import { topicKey, type Topic } from '../../scheduler/bus.js';
import { ServerPool } from '../../scheduler/server-pool.js';
import { quantity, wholeNumber } from '../../scenario/fields.js';
import type { ActionSpec, SimContext } from '../component.js';
import { FEATURES, featuresRequestOf } from '../digital/classifier.js';
import { MemoryComponent } from '../memory.js';
import { IMAGES } from '../records.js';
import { areaLine, type AreaLine } from '../area.js';

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

/**
 * A word to read or write. The requester owns the object and may reuse it once its reply has
 * come: the SRAM fills in `value` (the word read, or the word written) and `port`, and hands
 * the same object back on `reply` when the access completes (no allocation per access).
 */
export interface SramAccess {
  id: number;
  kind: 'read' | 'write';
  address: number;
  /** The word to write (an integer code); on the reply, the word read or written. */
  value: number;
  op: string | undefined;
  /** Where the reply goes: the requester's own topic, resolved once. */
  reply: Topic<SramAccess>;
  /** Set by the SRAM: the port of the bank serving the access. */
  port: number;
}

/** A fresh access object for a requester to fill and reuse. */
export const newSramAccess = (reply: Topic<SramAccess>): SramAccess => ({ id: 0, kind: 'read', address: 0, value: 0, op: undefined, reply, port: 0 });

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
    this.ports[a.address % this.params.banks]!.acquire(this.granted, a);
  }

  /** A port takes the access: it costs its energy now and completes after the latency. */
  private readonly granted = (port: number, a: SramAccess): void => {
    const bank = a.address % this.params.banks;
    const read = a.kind === 'read';
    const latency = read ? this.params.read_latency : this.params.write_latency;
    a.port = port;
    const values = this.tracing ? { address: a.address, bank, port, ...(read ? {} : { value: a.value }) } : undefined;
    if (read) this.countRead(1, this.wordBits, a.op);
    else this.countWrite(1, this.wordBits, a.op);
    this.performFor(read ? this.read : this.write, 1, latency, a.op, values);
    if (this.signalling) this.signal(`bank[${bank}]/port[${port}]`, '1', a.op);
    this.kernel.after(latency, this.complete, a);
  };

  private readonly complete = (a: SramAccess): void => {
    const bank = a.address % this.params.banks;
    this.ports[bank]!.release(a.port);
    if (this.signalling) this.signal(`bank[${bank}]/port[${a.port}]`, '0', a.op);
    if (a.kind === 'write') this.data[a.address] = a.value;
    a.value = this.data[a.address]!;
    a.reply.publish(a);
  };
}

/** An SRAM macro's area: its bits of cells, over the fraction of the macro that cells fill (periphery). */
export function sramArea(name: string, words: number, bits: number, bitCell: number, efficiency: number): AreaLine {
  return areaLine(name, 'memory', 1, (words * bits * bitCell) / efficiency, `${words.toLocaleString('en-US')} words x ${bits} b of bit cells, ${Math.round(efficiency * 100)} % of the macro`);
}
