import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { ResultsFileError } from './sweep-error.js';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * One writer per results file: a lock file beside it holding the writer's process id. A lock
 * left by a process that is gone (killed with -9) is taken over.
 */
export function lockResults(file: string): () => void {
  const lock = `${file}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          unlinkSync(lock);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new ResultsFileError(`cannot lock results file ${file}: ${(error as Error).message}`);
      let owner = NaN;
      try {
        owner = Number(readFileSync(lock, 'utf8'));
      } catch {
        // Removed between our open and read: try again.
      }
      if (Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw new ResultsFileError(`${file} is being written by another sweep (process ${owner}); wait for it, or remove ${lock} if that process is not a sweep`);
      }
      try {
        unlinkSync(lock);
      } catch {
        // Someone else took it over first; the next attempt says so.
      }
    }
  }
  throw new ResultsFileError(`cannot lock results file ${file}: another sweep took it`);
}
