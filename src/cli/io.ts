import { OutputFileError, writeFileAtomic } from '../data/output-file.js';

/** Where the CLI writes; the real process streams, or buffers in tests. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Whether the error stream is a terminal (progress lines are only drawn there). */
  readonly errIsTty: boolean;
  /** Terminal width for tables (defaults to 100). */
  readonly columns?: number;
}

export const processIo = (): CliIo => ({
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  errIsTty: process.stderr.isTTY === true,
  columns: process.stdout.columns,
});

/** An error in what the user gave us (file, option, value): printed plainly, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A command stopped by SIGINT or SIGTERM, having removed what it was writing: exit code 130. */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
}

/** Writes a file the user named (atomically: the old file or the new, never a torn one), or a usage error saying why it could not be written. */
export function writeText(file: string, text: string): void {
  try {
    writeFileAtomic(file, text);
  } catch (error) {
    throw new UsageError(error instanceof OutputFileError ? error.message : `cannot write ${file}: ${(error as Error).message}`);
  }
}
