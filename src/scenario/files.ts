import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** Opening a pipe for reading waits for a writer; without blocking it opens at once, and is then refused. */
export const READ_NO_WAIT = constants.O_RDONLY | constants.O_NONBLOCK;

/** Scenarios and weights files are read whole; anything larger is refused, not read without bound. */
export const TEXT_FILE_LIMIT = 64 * 1024 * 1024;

/** A file that cannot be read as asked: missing, not a regular file, too large. */
export class FileReadError extends Error {
  override name = 'FileReadError';
  constructor(
    readonly file: string,
    readonly what: string,
    /** Why, without the file's name: 'no such file', 'it is a directory, not a file', ... */
    readonly reason: string,
  ) {
    super(`cannot read ${what} ${file}: ${reason}`);
  }
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory, not a file';
  if (code === 'EACCES') return 'permission denied';
  return (error as Error).message;
}

/**
 * Reads a regular file of at most `limit` bytes. A device (/dev/zero), a pipe, a directory
 * or a larger file is refused before anything is read, with the reason in the message.
 */
export function readBoundedFile(file: string, limit: number, what: string): Buffer {
  let fd: number;
  try {
    fd = openSync(file, READ_NO_WAIT);
  } catch (error) {
    throw new FileReadError(file, what, reason(error));
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new FileReadError(file, what, 'it is a directory, not a file');
    if (!stat.isFile()) throw new FileReadError(file, what, 'it is not a regular file (a device or a pipe is not read)');
    if (stat.size > limit) throw new FileReadError(file, what, `it has ${stat.size} bytes, more than the ${limit} spinarch reads for a ${what}`);
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < stat.size) {
      const n = readSync(fd, buffer, read, stat.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } catch (error) {
    if (error instanceof FileReadError) throw error;
    throw new FileReadError(file, what, reason(error));
  } finally {
    closeSync(fd);
  }
}
