import { closeSync, openSync, writeSync } from 'node:fs';

/** A trace file that cannot be written (bad input: exit 2). */
export class TraceFileError extends Error {
  override name = 'TraceFileError';
}

/** Text written to a file in 64 KiB chunks as it comes, so a long trace never sits in memory. */
export class FileSink {
  private readonly fd: number;
  private parts: string[] = [];
  private size = 0;
  bytes = 0;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'w');
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      throw new TraceFileError(`cannot write ${path}: ${e.code === 'ENOENT' ? 'no such directory' : e.code === 'EACCES' ? 'permission denied' : e.message}`);
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
    this.bytes += Buffer.byteLength(text);
    writeSync(this.fd, text);
    this.parts = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
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
