/**
 * The README's screenshot of `spinarch report` on the bundled comparison (charge CeNN, IRMEN
 * dual-CeNN, MAAP-CNN 4-bit), accuracy over the first 500 MNIST test images to keep it quick:
 * writes docs/report.html's page to docs/report-screenshot.png (headless chromium).
 *
 *   npm run report:screenshot
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { screenshot } from './chromium.js';
import { runCli } from '../src/cli/main.js';

const dir = mkdtempSync(path.join(tmpdir(), 'spinarch-report-'));
try {
  const page = path.join(dir, 'report.html');
  const code = await runCli(['report', 'scenarios/charge-cenn.yaml', 'scenarios/irmen-dual-cenn.yaml', 'scenarios/maap-cnn-4bit.yaml', '--eval-images', '500', '--out', page]);
  if (code !== 0) process.exit(code);
  screenshot(page, 'docs/report-screenshot.png', 1200, 1500);
  process.stderr.write('wrote docs/report-screenshot.png\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
