import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';

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

/** Text written to a file in 64 KiB chunks as it comes, so a long trace never sits in memory. */
export class FileSink {
  private readonly fd: number;
  private parts: string[] = [];
  private size = 0;
  bytes = 0;

  constructor(readonly path: string) {
    this.fd = openForWriting(path);
  }

  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= 1 << 16) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    const text = this.parts.join('');
    this.bytes += Buffer.byteLength(text);
    this.parts = [];
    this.size = 0;
    writing(this.path, () => writeSync(this.fd, text));
  }

  /** Flushes and closes; the file is closed even when the last write fails (which is then thrown). */
  close(): void {
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
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
