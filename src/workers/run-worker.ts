import type { ImagesRun } from '../arch/runner.js';
import { runChunk, type ImageChunk } from './image-chunk.js';

/** A worker thread of the event-level pool (piscina): one chunk of images per call. */
export default function run(chunk: ImageChunk): ImagesRun {
  return runChunk(chunk);
}
