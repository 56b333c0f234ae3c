import { evaluateChunk, type ChunkResult, type ChunkTask } from './chunk.js';

/** A worker thread of the evaluation pool (piscina): one chunk of images per call. */
export default function evaluate(task: ChunkTask): ChunkResult {
  return evaluateChunk(task);
}
