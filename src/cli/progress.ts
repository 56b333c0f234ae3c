import { SingleBar } from 'cli-progress';
import type { CliIo } from './io.js';

/** A progress bar on stderr: what is done of a total, the rate, the time left. */
export interface Progress {
  update(done: number, extra?: string): void;
  stop(): void;
}

const NONE: Progress = { update: () => undefined, stop: () => undefined };

/** Seconds between progress lines when stderr is not a terminal (SPINARCH_PROGRESS_SECONDS changes it; 0 turns them off). */
export const PROGRESS_LINE_SECONDS = 10;

function lineSeconds(env: Readonly<Record<string, string | undefined>>): number {
  const text = env['SPINARCH_PROGRESS_SECONDS'];
  const n = text === undefined || text.trim() === '' ? Number.NaN : Number(text);
  return Number.isFinite(n) && n >= 0 ? n : PROGRESS_LINE_SECONDS;
}

const duration = (s: number): string => (s < 90 ? `${Math.round(s)} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`);

/**
 * Plain progress lines for a log (stderr not a terminal): one every few seconds, none for
 * work shorter than that, and a last line saying how long it took if any was printed.
 */
function progressLines(io: CliIo, what: string, total: number, unit: string, every: number): Progress {
  const started = Date.now();
  let done = 0;
  let extra = '';
  let last = started;
  let printed = false;
  const line = (): void => {
    const now = Date.now();
    last = now;
    printed = true;
    const seconds = (now - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const left = rate > 0 && done < total ? `, about ${duration((total - done) / rate)} left` : '';
    io.err(`${what}: ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${unit} (${Math.floor((100 * done) / total)} %), ${rate.toFixed(1)} ${unit}/s${left}${extra === '' ? '' : `; ${extra}`}\n`);
  };
  // The timer covers slow steps (a sweep point of minutes); update covers work that keeps the event loop busy.
  const timer = setInterval(line, every * 1000);
  timer.unref();
  return {
    update(d, e = '') {
      done = d;
      extra = e;
      if (Date.now() - last >= every * 1000) line();
    },
    stop() {
      clearInterval(timer);
      if (printed) io.err(`${what}: ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${unit} in ${duration((Date.now() - started) / 1000)}\n`);
    },
  };
}

/**
 * Progress of long work on stderr: a bar when it is a terminal (cli-progress); otherwise a
 * plain line every few seconds, so logs show work going on and stay readable.
 */
export function progressBar(io: CliIo, what: string, total: number, unit: string, env: Readonly<Record<string, string | undefined>> = process.env): Progress {
  if (!Number.isFinite(total) || total < 2) return NONE;
  if (!io.errIsTty) {
    const every = lineSeconds(env);
    return every === 0 ? NONE : progressLines(io, what, total, unit, every);
  }
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
