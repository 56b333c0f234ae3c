import { measurePoint, type PointOutcome, type PointTask } from './measure.js';

/** A worker thread of the sweep pool (piscina): one point per call, run single-threaded. */
export default function measure(task: PointTask): Promise<PointOutcome> {
  return measurePoint(task);
}
