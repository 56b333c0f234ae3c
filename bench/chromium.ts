import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Debian's chromium, headless, for the tests that render spinarch's HTML report in a real
 * browser and for the README's screenshot of it. No driver library: the command line's
 * --dump-dom gives the page after it loaded, its console goes to stderr (--enable-logging),
 * and a net log lists every request it made.
 */
export const CHROMIUM = process.env['SPINARCH_CHROMIUM'] ?? 'chromium';

/** Whether this machine has chromium on its PATH (Debian: apt-get install -y chromium). */
export const chromiumInstalled = (): boolean => spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).status === 0;

/** Whether the browser tests must run: in CI (CI set, as .ci/run runs) or with SPINARCH_REQUIRE_CHROMIUM=1; elsewhere they are skipped, saying why. */
export const chromiumRequired = (): boolean => (process.env['CI'] !== undefined && process.env['CI'] !== '' && process.env['CI'] !== 'false') || process.env['SPINARCH_REQUIRE_CHROMIUM'] === '1';

/** Flags for a quiet, offline-minded headless browser: no first-run work, no background requests of its own, a fresh profile. */
function flags(profile: string): string[] {
  return ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--no-default-browser-check', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-extensions', '--disable-default-apps', '--metrics-recording-only', '--mute-audio', '--hide-scrollbars', `--user-data-dir=${profile}`];
}

function inProfile<T>(f: (profile: string) => T): T {
  const profile = mkdtempSync(path.join(tmpdir(), 'spinarch-chromium-'));
  try {
    return f(profile);
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/**
 * Chromium's network traffic annotation (a hash of its id) of Blink's resource loader: the
 * requests a page makes (images, scripts, styles, fonts, fetches). The browser's own
 * background requests (update checks, clock sync, at IDLE priority) carry other annotations.
 */
const PAGE_REQUEST_ANNOTATION = 101845102;

/** What a page did when loaded: its DOM after loading, what it wrote to its console, and the URLs it requested. */
export interface RenderedPage {
  readonly dom: string;
  readonly console: readonly string[];
  /** Every URL request of the page (Blink's resource loader), from the net log. */
  readonly requests: readonly string[];
}

export function renderPage(file: string): RenderedPage {
  return inProfile((profile) => {
    const netLog = path.join(profile, 'net-log.json');
    const r = spawnSync(CHROMIUM, [...flags(profile), '--enable-logging=stderr', '--v=0', `--log-net-log=${netLog}`, '--virtual-time-budget=5000', '--dump-dom', `file://${path.resolve(file)}`], { encoding: 'utf8', timeout: 120_000, maxBuffer: 256 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`chromium --dump-dom ${file} failed (${r.status ?? r.signal}): ${r.stderr.slice(-2000)}`);
    const consoleLines = r.stderr.split('\n').filter((l) => /CONSOLE/.test(l));
    const log = readFileSync(netLog, 'utf8');
    const requests = [...new Set([...log.matchAll(/"traffic_annotation":(\d+),"url":"([^"]+)"/g)].filter((m) => Number(m[1]) === PAGE_REQUEST_ANNOTATION).map((m) => m[2]!))];
    return { dom: r.stdout, console: consoleLines, requests };
  });
}

/** A PNG of the page at `width` x `height` CSS pixels. */
export function screenshot(file: string, png: string, width: number, height: number): void {
  inProfile((profile) => {
    const r = spawnSync(CHROMIUM, [...flags(profile), `--window-size=${width},${height}`, '--virtual-time-budget=5000', `--screenshot=${path.resolve(png)}`, `file://${path.resolve(file)}`], { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`chromium --screenshot ${file} failed (${r.status ?? r.signal}): ${r.stderr.slice(-2000)}`);
  });
}
