import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromiumInstalled, chromiumRequired, renderPage } from '../bench/chromium.js';
import { Simulation, runScenario } from '../src/arch/runner.js';
import { ACTIONS, IMAGES } from '../src/components/records.js';
import { loadScenario } from '../src/arch/scenario.js';
import { mnistImages } from '../src/data/images.js';
import { bundledMnistDir } from '../src/data/mnist.js';
import type { DesignReportData } from '../src/report/page.js';
import { cli, tempFiles } from './helpers.js';

// A real browser or nothing: without chromium the browser test is skipped with a plain line,
// except in CI (or with SPINARCH_REQUIRE_CHROMIUM=1), where it must run.
const haveChromium = chromiumInstalled();
if (!haveChromium) {
  if (chromiumRequired()) throw new Error('chromium is not installed and CI (or SPINARCH_REQUIRE_CHROMIUM=1) requires the browser test of spinarch report: apt-get install -y chromium (.ci/run installs it)');
  process.stderr.write('spinarch: skipping the browser test of spinarch report: chromium is not installed (Debian: apt-get install -y chromium, then npm test again)\n');
}

/** The energy of the actions with a duration in the first MNIST test image's accelerator part (to its `computed` mark, or its end). */
function windowEnergy(scenario: string): number {
  let energy = 0;
  let inImage = false;
  const sim = new Simulation(loadScenario(`scenarios/${scenario}.yaml`), {
    attach: (s) => {
      s.bus.topic(IMAGES).listen((m) => (inImage = m.image === 0 && m.phase === 'start'));
      s.bus.topic(ACTIONS).listen((r) => {
        if (inImage && r.duration > 0) energy += r.energy;
      });
    },
  });
  sim.runImages(mnistImages(bundledMnistDir(), 0, 'test', 1), 0, 1);
  return energy;
}

/** The embedded figures of a report page. */
const embedded = (html: string): DesignReportData => JSON.parse(/<script type="application\/json" id="spinarch-data">([\s\S]*?)<\/script>/.exec(html)![1]!) as DesignReportData;

/** The summary cells of a page (rendered or written): scenario, metric, value, text. */
const cells = (html: string): { scenario: string; metric: string; value: number; text: string }[] =>
  [...html.matchAll(/<span class="num" data-scenario="([^"]+)" data-metric="([^"]+)" data-value="([^"]+)">([^<]*)<\/span>/g)].map((m) => ({ scenario: m[1]!, metric: m[2]!, value: Number(m[3]), text: m[4]! }));

describe('spinarch report', () => {
  const dir = tempFiles({});
  const out = path.join(dir, 'report.html');
  let html = '';

  beforeAll(async () => {
    const r = await cli('report', 'scenarios/irmen-dual-cenn.yaml', 'scenarios/maap-cnn-4bit.yaml', '--eval-images', '100', '--out', out);
    expect(r.code, r.err).toBe(0);
    html = readFileSync(out, 'utf8');
  }, 300_000);

  it('holds what was run, accuracy, energy and the figures, the same as JSON in the page', () => {
    const data = embedded(html);
    expect(data.designs.map((d) => d.scenario)).toEqual(['irmen-dual-cenn', 'maap-cnn-4bit']);
    expect(data.baseline).toBe('irmen-dual-cenn');
    // Provenance: each scenario file by its content, the MNIST files by theirs, the command.
    const files = data.provenance.scenarios.flatMap((s) => s.files);
    expect(files.map((f) => f.file)).toEqual(expect.arrayContaining(['scenarios/irmen-dual-cenn.yaml', 'scenarios/maap-cnn-4bit.yaml', 'scenarios/_maap-cnn-base.yaml']));
    for (const f of files) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(data.provenance.data?.sha256.images).toMatch(/^[0-9a-f]{64}$/);
    expect(data.provenance.command).toBe(`spinarch report scenarios/irmen-dual-cenn.yaml scenarios/maap-cnn-4bit.yaml --eval-images 100 --out ${out}`);
    for (const d of data.designs) {
      expect(d.accuracy!.images).toBe(100);
      expect(d.confusion!.flat().reduce((a, b) => a + b, 0)).toBe(100);
      // The energy is that of the first MNIST test image at event level.
      const first = runScenario(loadScenario(`scenarios/${d.scenario}.yaml`), { images: 1, source: mnistImages(bundledMnistDir(), 0, 'test', 1) });
      expect(d.energy_j).toBe(first.energy_j);
      expect(d.latency_ps).toBe(first.latency_ps);
      // The energy bars add up to the image's energy (the uncounted classifier head left out).
      expect(d.energy_by_class.reduce((a, c) => a + c.energy_j, 0) / d.energy_j).toBeCloseTo(1, 10);
      expect(d.power_curve!.watts.length).toBe(200);
      // Power over the image integrates to the energy of its power windows (actions with a duration; instant costs have no power).
      expect(d.power_curve!.watts.reduce((a, w) => a + w * d.power_curve!.bin_ps * 1e-12, 0) / windowEnergy(d.scenario)).toBeCloseTo(1, 9);
    }
    const irmen = data.designs[0]!;
    expect(irmen.transfer!.model).toMatch(/^analytic/);
    expect(irmen.transfer!.points.find((p) => p.drive === 0)!.mean).toBeCloseTo(0, 12);
    expect(irmen.transfer!.points.find((p) => p.drive === 1.5)!.mean).toBeGreaterThan(0.9);
    expect(data.designs[1]!.timing.limiting).toBe('sram_ports');
    // Self-contained: no script, style or image from anywhere, and nothing fetched.
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/url\(\s*['"]?https?:/i);
    expect(html).toMatch(/Content-Security-Policy" content="default-src 'none'/);
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(2 + 2 * 2 + 1);
  });

  it.skipIf(!haveChromium)('renders in headless Chromium without console errors or requests, and its DOM gives back accuracy and energy', () => {
    // The checks catch what they look for: a page that logs an error and fetches an image.
    const control = path.join(dir, 'control.html');
    writeFileSync(control, '<!doctype html><p>x</p><img src="https://example.com/x.png"><script>console.error("broken")</script>');
    const bad = renderPage(control);
    expect(bad.console.join('\n')).toMatch(/broken/);
    expect(bad.requests).toEqual(['https://example.com/x.png']);
    const page = renderPage(out);
    expect(page.console).toEqual([]);
    expect(page.requests).toEqual([]);
    const data = embedded(page.dom);
    const read = cells(page.dom);
    for (const d of data.designs) {
      const accuracy = read.find((c) => c.scenario === d.scenario && c.metric === 'accuracy')!;
      expect(accuracy.value).toBe(d.accuracy!.rate);
      expect(accuracy.text).toBe(`${(100 * d.accuracy!.rate).toFixed(2)} %`);
      const energy = read.find((c) => c.scenario === d.scenario && c.metric === 'energy_j')!;
      expect(energy.value).toBe(d.energy_j);
      expect(energy.text).toMatch(/^\d+(\.\d+)? [pn]J$/);
    }
    // The figures drew: every vega chart is in the rendered DOM.
    expect((page.dom.match(/<svg/g) ?? []).length).toBe((html.match(/<svg/g) ?? []).length);
  }, 240_000);

  it('is the same bytes for the same inputs', async () => {
    const again = path.join(dir, 'again.html');
    const argv = ['report', 'scenarios/charge-cenn.yaml', '--eval-images', '20', '--out', again];
    expect((await cli(...argv)).code).toBe(0);
    const first = readFileSync(again, 'utf8');
    expect((await cli(...argv, '--workers', '1')).code).toBe(0);
    expect(readFileSync(again, 'utf8').replaceAll(' --workers 1', '')).toBe(first);
  }, 120_000);

  it("makes a page of a sweep's results file: a plot per metric and the table of its points", async () => {
    const page = path.join(dir, 'sweep.html');
    const r = await cli('report', '--results', 'docs/figures/irmen-fig7a-energy-vs-fm-length.jsonl', '--out', page);
    expect(r.code, r.err).toBe(0);
    const text = readFileSync(page, 'utf8');
    expect((text.match(/<svg/g) ?? []).length).toBe(4);
    expect(text.match(/<tbody>([\s\S]*?)<\/tbody>/)![1]!.match(/<tr>/g)).toHaveLength(4);
    const data = JSON.parse(/id="spinarch-data">([\s\S]*?)<\/script>/.exec(text)![1]!) as { points: { point: Record<string, string> }[] };
    expect(data.points.map((p) => p.point['params.irmen.fm_length'])).toEqual(['17 nm', '30 nm', '45 nm', '60 nm']);
  });

  it('refuses what it cannot do with exit 2 and a sentence, never a stack trace', async () => {
    const cases: [string[], RegExp][] = [
      [['report', 'scenarios/charge-cenn.yaml', '--out', path.join(dir, 'r.txt')], /--out .*r\.txt: a report is an HTML page; name the file \.html/],
      [['report', '--out', path.join(dir, 'r.html')], /report needs scenario files, or --results FILE/],
      [['report', 'scenarios/charge-cenn.yaml', '--results', 'docs/figures/irmen-fig7a-energy-vs-fm-length.jsonl', '--out', path.join(dir, 'r.html')], /give scenarios or --results FILE, not both/],
      [['report', 'scenarios/charge-cenn.yaml', '--out', 'scenarios/charge-cenn.html', '--eval-images', '20000'], /--eval-images is at most 10,000/],
      [['report', 'scenarios/charge-cenn.yaml', 'scenarios/charge-cenn.yaml', '--out', path.join(dir, 'r.html')], /named 'charge-cenn' like an earlier scenario/],
      [['report', 'scenarios/charge-cenn.yaml'], /required option '--out <file>'/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
    // An input is never overwritten; nor is a file that is not a page.
    const notes = tempFiles({ 'notes.html.txt': 'x', 'notes.html': 'my notes\n' });
    const over = await cli('report', 'scenarios/charge-cenn.yaml', '--out', path.join(notes, 'notes.html'));
    expect(over.code).toBe(2);
    expect(over.err).toMatch(/it exists and is not an HTML page/);
    const help = await cli('report', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/--eval-images <n>[\s\S]*--chips <n>[\s\S]*--results <file>|--results <file>[\s\S]*--eval-images <n>[\s\S]*--chips <n>/);
  });
});
