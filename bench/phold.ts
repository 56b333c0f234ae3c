/**
 * PHOLD, the standard benchmark of discrete-event kernels, on the spinarch kernel: every
 * logical process (LP) is a component with an inbox topic on the bus, and every event is a
 * bus message delivered by the kernel at its time, as messages between blocks are in a design.
 *
 *   npm run bench:phold -- --lps 1024 --per-lp 4 --events 10000000
 */
import { parseArgs } from 'node:util';
import { Component, type SimContext } from '../src/components/component.js';
import type { ComponentClass } from '../src/components/records.js';
import { Bus, topicKey, type Topic } from '../src/scheduler/bus.js';
import { Kernel } from '../src/scheduler/kernel.js';

/** Shared by all LPs: the event count and the FNV-style checksum over (time, LP). */
interface PholdTally {
  h: number;
  count: number;
  last: number;
}

/** The benchmark's PRNG, one per LP: xorshift32. */
function xorshiftSeed(i: number): number {
  const s = (Math.imul(i, 0x9e3779b9) + 0x12345678) >>> 0;
  return s === 0 ? 1 : s;
}

class LogicalProcess extends Component {
  readonly kind: ComponentClass = 'digital';
  private x: number;
  private readonly inbox: Topic<number>;

  constructor(
    ctx: SimContext,
    readonly id: number,
    private readonly peers: Topic<number>[],
    private readonly tally: PholdTally,
  ) {
    super(ctx, `lp[${id}]`);
    this.x = xorshiftSeed(id);
    this.inbox = ctx.bus.topic(topicKey<number>(`lp[${id}]/in`));
    peers[id] = this.inbox;
    this.inbox.listen(this.receive);
  }

  next(): number {
    let x = this.x;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.x = x;
    return x >>> 0;
  }

  /** Posts the start-up events of this LP. */
  seed(perLp: number): void {
    for (let k = 0; k < perLp; k++) this.inbox.publishAt(this.next() % 1000, this.id);
  }

  private readonly receive = (): void => {
    const tally = this.tally;
    const t = this.now;
    tally.count++;
    tally.last = t;
    tally.h = Math.imul(tally.h ^ (t >>> 0), 16777619) >>> 0;
    tally.h = Math.imul(tally.h ^ this.id, 16777619) >>> 0;
    const a = this.next();
    const b = this.next();
    const c = this.next();
    const d = a % 10 < 9 ? b % this.peers.length : this.id;
    this.peers[d]!.publishAfter(100 + (c % 1900), this.id);
  };
}

export interface PholdResult {
  impl: 'spinarch';
  events: number;
  final_ps: number;
  checksum: number;
  seconds: number;
  events_per_s: number;
}

export function runPhold(lps: number, perLp: number, events: number, clock: () => number = () => 0): PholdResult {
  const kernel = new Kernel();
  const bus = new Bus(kernel);
  const ctx: SimContext = { kernel, bus, seed: 0 };
  const tally: PholdTally = { h: 2166136261, count: 0, last: 0 };
  const peers: Topic<number>[] = new Array<Topic<number>>(lps);
  const processes: LogicalProcess[] = [];
  for (let i = 0; i < lps; i++) processes.push(new LogicalProcess(ctx, i, peers, tally));
  for (const lp of processes) lp.seed(perLp);
  const t0 = clock();
  kernel.run(Number.MAX_SAFE_INTEGER, events);
  const secs = clock() - t0;
  return {
    impl: 'spinarch',
    events: tally.count,
    final_ps: tally.last,
    checksum: tally.h,
    seconds: secs,
    events_per_s: secs > 0 ? Math.round(tally.count / secs) : 0,
  };
}

function positiveInt(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!Number.isSafeInteger(v) || v <= 0) {
    process.stderr.write(`phold: --${name} must be a positive whole number, got '${text}'\n`);
    process.exit(2);
  }
  return v;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      lps: { type: 'string' },
      'per-lp': { type: 'string' },
      events: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    process.stdout.write('usage: npm run bench:phold -- [--lps N=1024] [--per-lp P=4] [--events E=10000000]\n');
    return;
  }
  const lps = positiveInt('lps', values.lps, 1024);
  const perLp = positiveInt('per-lp', values['per-lp'], 4);
  const events = positiveInt('events', values.events, 10_000_000);
  const result = runPhold(lps, perLp, events, () => Number(process.hrtime.bigint()) / 1e9);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
