import type { Location } from '../../scenario/errors.js';
import type { Key } from '../../scenario/load.js';
import type { PointTask } from '../measure.js';

/** A point task as JSON (a job's data): the scenario's sources as a list, since JSON has no Map. */
export interface WireTask extends Omit<PointTask, 'raw'> {
  readonly raw: {
    readonly file: string;
    readonly data: Readonly<Record<string, unknown>>;
    readonly sources: readonly (readonly [string, { readonly path: readonly Key[]; readonly location: Location }])[];
  };
}

export const toWire = (t: PointTask): WireTask => ({ ...t, raw: { file: t.raw.file, data: t.raw.data, sources: [...t.raw.sources] } });

export const fromWire = (w: WireTask): PointTask => ({ ...w, raw: { file: w.raw.file, data: w.raw.data, sources: new Map(w.raw.sources) } });
