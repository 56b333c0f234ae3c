import { closeSync, existsSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * Every file spinarch writes goes to a temporary name in its own directory and is renamed
 * over the destination when complete: a failed or interrupted command leaves the previous
 * file or nothing, never a torn one. (The same directory, so the rename is atomic.)
 */

/** A file that could not be written; the message names it and says why. */
export class OutputFileError extends Error {
  override name = 'OutputFileError';
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'ENOSPC') return 'no space left on the device';
  if (code === 'ENOTDIR') return 'a part of its path is not a directory';
  return (error as Error).message;
}

/** The temporary name `file` is written under: hidden, beside it, with this process's id. */
export const temporaryFor = (file: string): string => path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);

/** Temporaries being written now, so an interrupted command can remove them. */
const inProgress = new Set<AtomicOutput>();

/** Removes every temporary still being written (on SIGINT/SIGTERM); returns the destinations left untouched. */
export function abandonOutputs(): string[] {
  const files = [...inProgress].map((o) => o.file);
  for (const o of [...inProgress]) o.abort();
  return files;
}

/** A file written in pieces under its temporary name; `commit` renames it into place. */
export class AtomicOutput {
  readonly temporary: string;
  private fd: number | undefined;
  bytes = 0;

  constructor(readonly file: string) {
    this.temporary = temporaryFor(file);
    try {
      this.fd = openSync(this.temporary, 'w');
    } catch (error) {
      throw new OutputFileError(`cannot write ${file}: ${reason(error)}`);
    }
    inProgress.add(this);
  }

  write(data: string | Uint8Array): void {
    if (this.fd === undefined) throw new OutputFileError(`cannot write ${this.file}: it was already closed`);
    const fd = this.fd;
    try {
      if (typeof data === 'string') this.bytes += writeSync(fd, data);
      else {
        let done = 0;
        while (done < data.length) done += writeSync(fd, data, done, data.length - done);
        this.bytes += data.length;
      }
    } catch (error) {
      this.abort();
      throw new OutputFileError(`cannot write ${this.file}: ${reason(error)}`);
    }
  }

  /** Syncs, closes and renames over the destination. */
  commit(): void {
    if (this.fd === undefined) throw new OutputFileError(`cannot write ${this.file}: it was already closed`);
    try {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = undefined;
      renameSync(this.temporary, this.file);
      inProgress.delete(this);
    } catch (error) {
      this.abort();
      throw new OutputFileError(`cannot write ${this.file}: ${reason(error)}`);
    }
  }

  /** Closes and removes the temporary; the destination is left as it was. */
  abort(): void {
    inProgress.delete(this);
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // already unusable: removing it is all that is left
      }
      this.fd = undefined;
    }
    try {
      if (existsSync(this.temporary)) unlinkSync(this.temporary);
    } catch {
      // nothing more can be done; the temporary's name says what it is
    }
  }
}

/** Writes a whole file atomically. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const out = new AtomicOutput(file);
  out.write(data);
  out.commit();
}
