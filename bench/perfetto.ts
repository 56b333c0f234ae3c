/**
 * One MAAP-CNN image traced to Perfetto's protobuf and to trace-event JSON: each file's bytes
 * and the trace command's wall time (the same simulation under both, so the difference is the
 * writing), the best of a few runs taken in turn; prints JSON.
 *
 *   npm run bench:perfetto
 *   npm run bench:perfetto -- --scenario scenarios/irmen-dual-cenn.yaml --runs 5
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { scenario: { type: 'string' }, runs: { type: 'string' } } });
const scenario = values.scenario ?? 'scenarios/maap-cnn-4bit.yaml';
const runs = Number(values.runs ?? 3);
const dir = mkdtempSync(path.join(tmpdir(), 'spinarch-bench-perfetto-'));
const formats = { json: path.join(dir, 'trace.json'), protobuf: path.join(dir, 'trace.pftrace') };
const best: Record<string, number> = { json: Infinity, protobuf: Infinity };
try {
  for (let k = 0; k < runs; k++) {
    for (const [format, file] of Object.entries(formats)) {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, ['bin/spinarch.js', 'trace', scenario, '--perfetto', file], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`trace --perfetto ${file} failed: ${r.stderr}`);
      best[format] = Math.min(best[format]!, (performance.now() - t0) / 1000);
    }
  }
  const bytes = { json: statSync(formats.json).size, protobuf: statSync(formats.protobuf).size };
  console.log(
    JSON.stringify({
      bench: 'perfetto',
      scenario,
      runs,
      bytes,
      size_ratio: Number((bytes.json / bytes.protobuf).toFixed(2)),
      seconds: { json: Number(best['json']!.toFixed(2)), protobuf: Number(best['protobuf']!.toFixed(2)) },
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
