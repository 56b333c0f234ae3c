import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';
import { AtomicOutput, OutputFileError } from '../data/output-file.js';

/** A trace file that cannot be written (bad input: exit 2). */
export class TraceFileError extends Error {
  override name = 'TraceFileError';
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'ENOSPC') return 'no space left on the device';
  return (error as Error).message;
}

/** Runs a file operation; a failure becomes a TraceFileError naming the file. */
export function writing<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof TraceFileError) throw error;
    if (error instanceof OutputFileError) throw new TraceFileError(error.message);
    throw new TraceFileError(`cannot write ${path}: ${reason(error)}`);
  }
}

/** Opens `path` for writing, refusing a directory. */
export function openForWriting(path: string): number {
  const fd = writing(path, () => openSync(path, 'w'));
  if (fstatSync(fd).isDirectory()) {
    closeSync(fd);
    throw new TraceFileError(`cannot write ${path}: it is a directory`);
  }
  return fd;
}

/**
 * How much the traces of one run may write together (`--max-trace-size`): a warning once they
 * pass `warnAt` of it, and a stop (TraceFileError) at the limit, so a trace never fills a disk.
 */
export class TraceBudget {
  used = 0;
  private warned = false;

  constructor(
    readonly limit: number,
    private readonly warn: (text: string) => void = () => undefined,
    private readonly warnAt = 0.8,
  ) {}

  spend(bytes: number): void {
    this.used += bytes;
    if (!this.warned && this.used >= this.warnAt * this.limit) {
      this.warned = true;
      this.warn(`the traces have written ${formatBytes(this.used)} of --max-trace-size ${formatBytes(this.limit)}; they stop at the limit (narrow --from/--to, fewer --images, or raise --max-trace-size)`);
    }
    if (this.used > this.limit) throw new TraceFileError(`the traces reached --max-trace-size ${formatBytes(this.limit)}: stopped (narrow --from/--to, fewer --images, or raise --max-trace-size)`);
  }
}

export const formatBytes = (n: number): string => (n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} kB` : `${n} B`);

/**
 * Text written to a file in 64 KiB chunks as it comes, so a long trace never sits in memory.
 * A destination (`atomic`) is written under a temporary name and renamed on `close`; `abort`
 * removes it, leaving whatever was there before.
 */
export class FileSink {
  private readonly output: AtomicOutput | undefined;
  private readonly fd: number | undefined;
  private parts: string[] = [];
  private size = 0;
  bytes = 0;

  constructor(
    readonly path: string,
    private readonly budget?: TraceBudget,
    atomic = true,
  ) {
    if (atomic) {
      this.output = writing(path, () => new AtomicOutput(path));
    } else {
      this.fd = openForWriting(path);
    }
  }

  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= 1 << 16) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    const text = this.parts.join('');
    const n = Buffer.byteLength(text);
    this.budget?.spend(n);
    this.bytes += n;
    this.parts = [];
    this.size = 0;
    if (this.output !== undefined) writing(this.path, () => this.output!.write(text));
    else writing(this.path, () => writeSync(this.fd!, text));
  }

  /** Writes raw bytes after what was written (flushed first). */
  writeBytes(data: Uint8Array): void {
    this.flush();
    this.budget?.spend(data.length);
    this.bytes += data.length;
    if (this.output !== undefined) writing(this.path, () => this.output!.write(data));
    else writing(this.path, () => writeSync(this.fd!, data));
  }

  /** Flushes and closes (renaming a destination into place); on a failed write nothing is left (which is then thrown). */
  close(): void {
    try {
      this.flush();
    } catch (error) {
      this.abort();
      throw error;
    }
    if (this.output !== undefined) writing(this.path, () => this.output!.commit());
    else closeSync(this.fd!);
  }

  /** Stops writing and removes what was written. */
  abort(): void {
    this.parts = [];
    if (this.output !== undefined) this.output.abort();
    else {
      try {
        closeSync(this.fd!);
      } catch {
        // already closed
      }
    }
  }
}

/** Only what happens between `from` and `to` (ps, inclusive) is traced. */
export interface TimeWindow {
  readonly from: number;
  readonly to: number;
}

export const WHOLE_RUN: TimeWindow = { from: 0, to: Number.MAX_SAFE_INTEGER };

/** Whether [start, start + duration] touches the window. */
export const overlaps = (w: TimeWindow, start: number, duration: number): boolean => start <= w.to && start + duration >= w.from;
