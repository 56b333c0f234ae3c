/**
 * One packet sequence of a Perfetto protobuf trace (packets with one
 * trusted_packet_sequence_id): its incremental state, which a reader rebuilds from the
 * sequence's own packets only. spinarch gives every track its own sequence, whose defaults
 * name the track (so no event repeats it), and keeps here:
 * - the time of its delta clock (each packet's timestamp the difference from the last one);
 * - its interned strings, by kind (event names, categories, argument names, string values,
 *   correlation ids), numbered from 1.
 */
export class PacketSequence {
  /** The delta clock's time: the last packet's on it (ps). */
  last = 0;
  /** Whether the sequence's first packet (its defaults and clock) has been written. */
  started = false;
  readonly names = new Map<string, number>();
  readonly categories = new Map<string, number>();
  readonly argNames = new Map<string, number>();
  readonly stringValues = new Map<string, number>();
  readonly correlationIds = new Map<string, number>();

  constructor(
    readonly id: number,
    /** The track its events go to when they name none (0: every event names its track). */
    readonly track: number,
  ) {}

  /** How many strings it has interned. */
  get interned(): number {
    return this.names.size + this.categories.size + this.argNames.size + this.stringValues.size + this.correlationIds.size;
  }

  /** Forgets what it interned (the writer then starts it afresh). */
  clear(): void {
    this.names.clear();
    this.categories.clear();
    this.argNames.clear();
    this.stringValues.clear();
    this.correlationIds.clear();
    this.started = false;
  }
}
