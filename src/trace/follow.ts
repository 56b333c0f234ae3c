import type { SimContext } from '../components/component.js';
import { ACTIONS, SIGNALS, type RecordValue } from '../components/records.js';
import { overlaps, WHOLE_RUN, type TimeWindow } from './sink.js';

/** One thing that happened to a followed operation. */
export interface OpEvent {
  readonly time_ps: number;
  readonly duration_ps: number;
  readonly op: string;
  readonly component: string;
  readonly what: string;
  readonly energy_j: number;
  readonly values: Readonly<Record<string, RecordValue>>;
}

/**
 * Follows one operation through the machine: every action (memory accesses among them) and line change
 * whose op is one the design says belongs to it (the op itself and, for a MAAP output, the
 * inputs that fed it), in time order. Without the design's help, a selector matches ops
 * equal to it or below it (`L0/row[3]` matches itself, `stage[5]` matches `stage[5]/...`).
 */
export class OpFollower {
  readonly events: OpEvent[] = [];

  constructor(
    readonly selector: string,
    private readonly ops: ReadonlySet<string> | undefined,
    private readonly window: TimeWindow = WHOLE_RUN,
  ) {}

  private matches(op: string | undefined): op is string {
    if (op === undefined) return false;
    if (this.ops !== undefined) return this.ops.has(op);
    return op === this.selector || op.startsWith(`${this.selector}/`) || op.startsWith(`${this.selector}[`);
  }

  private add(e: OpEvent): void {
    if (overlaps(this.window, e.time_ps, e.duration_ps)) this.events.push(e);
  }

  attach(sim: SimContext): void {
    sim.bus.topic(ACTIONS).listen((r) => {
      if (this.matches(r.op)) this.add({ time_ps: r.time, duration_ps: r.duration, op: r.op, component: r.component, what: r.action, energy_j: r.energy, values: { ...(r.count !== 1 && r.detail !== true ? { count: r.count } : {}), ...(r.values ?? {}) } });
    });
    // Line levels (a driver's WWL, BL, IN) belong to the op; one-bit busy lines only repeat
    // the actions above, which carry their durations.
    sim.bus.topic(SIGNALS).listen((s) => {
      if (s.value !== '0' && s.value !== '1' && this.matches(s.op)) this.add({ time_ps: s.time, duration_ps: 0, op: s.op, component: s.component, what: `${s.signal} =`, energy_j: 0, values: { level: s.value } });
    });
  }
}
