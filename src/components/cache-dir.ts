import { homedir } from 'node:os';
import path from 'node:path';

/** Where computed tables are kept between runs: $SPINARCH_CACHE, else $XDG_CACHE_HOME/spinarch, else ~/.cache/spinarch. */
export function cacheDir(): string {
  return process.env['SPINARCH_CACHE'] ?? path.join(process.env['XDG_CACHE_HOME'] ?? path.join(homedir(), '.cache'), 'spinarch');
}
