import { cellSettingOf, irmenScenario, stageDelayOf } from '../arch/cenn/irmen-dual-cenn.js';
import type { Scenario } from '../arch/scenario.js';
import { displayPath } from '../scenario/load.js';
import { cellReadOf } from '../components/irmen/irmen-bank.js';
import { readMean, readSpread, type CellRead } from '../components/irmen/cell-read.js';

/** A device's transfer function as the run used it: what the next stage receives against the drive, with its spread. */
export interface DeviceTransfer {
  /** How the run modelled it. */
  readonly model: string;
  readonly points: readonly { readonly drive: number; readonly mean: number; readonly sd: number }[];
}

/** The mean and spread of a cell's read at drive u, having held u before (settled). */
function readAt(read: CellRead, u: number): { mean: number; sd: number } {
  if (read.kind !== 'llg') return { mean: readMean(read, u), sd: readSpread(read, u) };
  // The LLG table on its diagonal: the same drive before and now (nearest grid point).
  const t = read.table;
  const at = Math.round(((u + t.span) / (2 * t.span)) * (t.states - 1));
  const row = Math.round(((u + t.span) / (2 * t.span)) * (t.previous - 1));
  return { mean: t.mean[row * t.states + at]!, sd: read.scale * t.sd[row * t.states + at]! };
}

/**
 * The transfer function of the design's spintronic cell, where it has one (IRMEN: the read
 * model of the magnet, analytic or from the LLG macrospin) over drives -1.5 to 1.5; none for
 * designs whose cells are not read through a magnet's state.
 */
export function deviceTransfer(scenario: Scenario): DeviceTransfer | undefined {
  if (scenario.design.name !== 'irmen-dual-cenn') return undefined;
  const v = irmenScenario.parse(scenario.raw.data);
  const read = cellReadOf(v.params.irmen, cellSettingOf(v, stageDelayOf(v)), v.seed);
  const model =
    read.kind === 'analytic'
      ? `analytic: the magnet settled at its drive (Boltzmann statistics through the read path), noise scale ${v.params.irmen.noise_scale}`
      : read.kind === 'table'
        ? `measured table ${displayPath(read.table.file)} (${read.table.source.join('; ')}), noise scale ${v.params.irmen.noise_scale}`
        : `LLG macrospin table: the stage's dynamics from the previous drive (shown settled, the same drive before), noise scale ${v.params.irmen.noise_scale}`;
  const points = Array.from({ length: 61 }, (_, k) => {
    const drive = -1.5 + k * 0.05;
    return { drive: Number(drive.toFixed(2)), ...readAt(read, drive) };
  });
  return { model, points };
}
