import type { SimContext } from '../../components/component.js';
import { WATCH, stageOp } from '../../components/cenn/messages.js';
import type { CennStep } from '../../components/cenn/template.js';

/**
 * Selectors of a CeNN design: `stage[5]` (every record of stage 5) or `stage[5]/v[k,y,x]`
 * (one cell of the plane stage 5 writes: its inputs, as the OTAs summed them, and the state
 * it stored, on top of the stage's own records).
 */
export function followCenn(sim: SimContext, steps: readonly CennStep[], selector: string): ReadonlySet<string> | undefined {
  const m = /^stage\[(\d+)\](?:\/([A-Za-z]\w*)\[(\d+),(\d+),(\d+)\])?$/.exec(selector);
  if (m === null) return undefined;
  const stage = Number(m[1]);
  const step = steps[stage];
  if (step === undefined) return undefined;
  if (m[2] === undefined) return new Set([stageOp(stage)]);
  const plane = step.outputs.find((o) => o.name === m[2]);
  const [k, y, x] = [Number(m[3]), Number(m[4]), Number(m[5])];
  if (plane === undefined || k >= plane.shape.maps || y >= plane.shape.h || x >= plane.shape.w) return undefined;
  sim.bus.topic(WATCH).publish({ stage, plane: plane.name, index: (k * plane.shape.h + y) * plane.shape.w + x, op: selector });
  return new Set([stageOp(stage), selector]);
}
