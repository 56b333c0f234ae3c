import { gunzipSync } from 'node:zlib';
import { FileReadError, readBoundedFile } from '../scenario/files.js';

/** IDX files are read whole: at most this many bytes stored, and this many unpacked (MNIST's largest is 47 MB). */
export const IDX_FILE_LIMIT = 256 * 1024 * 1024;

/** One IDX file (the MNIST format): its dimensions and unsigned-byte data. */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

export class IdxError extends Error {
  override name = 'IdxError';
}

const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** The bytes of an IDX file as stored: gzipped files are unpacked (a damaged archive names the file). */
export function unpackIdx(bytes: Uint8Array, name: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes, { maxOutputLength: IDX_FILE_LIMIT });
  } catch (error) {
    throw new IdxError(`${name}: damaged gzip data (${(error as Error).message}); restore the file or give another copy with --mnist DIR`);
  }
}

/**
 * Reads an IDX file (big-endian: two zero bytes, a type byte, the number of dimensions,
 * then each dimension as a 32-bit integer, then the data). Gzipped files are unpacked.
 * Only unsigned bytes (type 0x08) are supported, which is what MNIST uses.
 */
export function parseIdx(bytes: Uint8Array, name = 'IDX data'): IdxArray {
  const buf = unpackIdx(bytes, name);
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) throw new IdxError(`${name}: not an IDX file (bad magic number)`);
  if (buf[2] !== 0x08) throw new IdxError(`${name}: element type 0x${buf[2]!.toString(16)} is not unsigned byte (0x08)`);
  const rank = buf[3]!;
  if (rank < 1 || buf.length < 4 + 4 * rank) throw new IdxError(`${name}: truncated header`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const size = dims.reduce((a, b) => a * b, 1);
  const offset = 4 + 4 * rank;
  if (buf.length < offset + size) throw new IdxError(`${name}: holds ${buf.length - offset} bytes of data, the header promises ${size}`);
  return { dims, data: buf.subarray(offset, offset + size) };
}

export function readIdxBytes(file: string): Buffer {
  try {
    return readBoundedFile(file, IDX_FILE_LIMIT, 'IDX file');
  } catch (error) {
    if (error instanceof FileReadError) throw new IdxError(error.message);
    throw error;
  }
}

export function readIdx(file: string): IdxArray {
  return parseIdx(readIdxBytes(file), file);
}
