import { SingleBar } from 'cli-progress';
import type { CliIo } from './io.js';

/** A progress bar on stderr: what is done of a total, the rate, the time left. */
export interface Progress {
  update(done: number, extra?: string): void;
  stop(): void;
}

const NONE: Progress = { update: () => undefined, stop: () => undefined };

/**
 * A progress bar for long work, drawn on stderr only when it is a terminal (cli-progress);
 * otherwise nothing, so piped or redirected output stays clean.
 */
export function progressBar(io: CliIo, what: string, total: number, unit: string): Progress {
  if (!io.errIsTty || !Number.isFinite(total) || total < 2) return NONE;
  const started = Date.now();
  const bar = new SingleBar({
    stream: process.stderr,
    format: `${what} [{bar}] {value}/{total} ${unit} | {rate} ${unit}/s | ETA {eta_formatted}{extra}`,
    barsize: 24,
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 50,
  });
  bar.start(total, 0, { rate: '-', extra: '' });
  return {
    update(done, extra = '') {
      const seconds = (Date.now() - started) / 1000;
      bar.update(done, { rate: seconds > 0 ? (done / seconds).toFixed(1) : '-', extra: extra === '' ? '' : ` | ${extra}` });
    },
    stop() {
      bar.stop();
    },
  };
}
