import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Component, type SimContext } from '../src/components/component.js';
import { Ledger } from '../src/components/ledger.js';
import { MemoryComponent } from '../src/components/memory.js';
import { streamFor } from '../src/components/random.js';
import { IMAGES, type ComponentClass } from '../src/components/records.js';
import { Bus } from '../src/scheduler/bus.js';
import { Kernel } from '../src/scheduler/kernel.js';

class Heater extends Component {
  readonly kind: ComponentClass = 'analog';
  readonly on = this.declarePower('heat', 2e-3, 'heating at 2 mW');
  readonly tick = this.declareEnergy('tick', 5e-15, 'one tick');
  heat(duration: number, count = 1): void {
    this.powerFor(this.on, duration, { count });
  }
  ticks(n: number): void {
    this.perform(this.tick, n);
  }
}

class Buffer extends MemoryComponent {
  readonly access = this.declareEnergy('buffer_read', 8 * 1e-15, 'read 8 bits');
  read(words: number): void {
    this.countRead(words, 8);
    this.perform(this.access, words);
  }
}

function sim(seed = 1): { ctx: SimContext; kernel: Kernel; ledger: Ledger } {
  const kernel = new Kernel();
  const bus = new Bus(kernel);
  return { ctx: { kernel, bus, seed }, kernel, ledger: new Ledger(bus) };
}

describe('Ledger', () => {
  it('sums energy as count x energy and power x time, per image, with peak and powered time', () => {
    const { ctx, kernel, ledger } = sim();
    const a = new Heater(ctx, 'heater[0]');
    const b = new Heater(ctx, 'heater[1]');
    const mem = new Buffer(ctx, 'buffer');
    const marks = ctx.bus.topic(IMAGES);
    marks.publish({ time: 0, image: 0, phase: 'start' });
    kernel.at(100, () => a.heat(200), 0); // 2 mW over [100, 300)
    kernel.at(200, () => b.heat(300, 2), 0); // 4 mW over [200, 500)
    kernel.at(600, () => a.heat(100), 0); // back to 2 mW over [600, 700)
    kernel.at(650, () => a.ticks(3), 0);
    kernel.at(650, () => mem.read(10), 0);
    kernel.at(1000, () => marks.publish({ time: kernel.now, image: 0, phase: 'end' }), 0);
    kernel.run();
    const img = ledger.images[0]!;
    expect(img.latency).toBe(1000);
    const expected = 2e-3 * 200e-12 + 4e-3 * 300e-12 + 2e-3 * 100e-12 + 3 * 5e-15 + 10 * 8e-15;
    expect(img.energy).toBeCloseTo(expected, 24);
    expect(img.power.peakW).toBeCloseTo(6e-3, 12); // both heaters on over [200, 300)
    expect(img.power.poweredPs).toBe(400 + 100); // [100, 500) and [600, 700)
    expect(img.power.averageW).toBeCloseTo(expected / 1000e-12, 9);
    // Indexed instances are grouped into one line per action.
    const heat = img.lines.find((l) => l.component === 'heater[*]' && l.action === 'heat')!;
    expect(heat.count).toBe(4);
    expect(img.counts).toEqual({ heat: 4, tick: 3, buffer_read: 10 });
    expect(img.traffic).toEqual({ reads: 10, writes: 0, bitsRead: 80, bitsWritten: 0 });
  });

  it('refuses costs outside an image', () => {
    const { ctx, kernel } = sim();
    const a = new Heater(ctx, 'heater');
    kernel.at(1, () => a.ticks(1), 0);
    expect(() => kernel.run()).toThrow(/acted outside any image/);
  });
});

describe('Component', () => {
  it('takes path names and rejects others', () => {
    const { ctx } = sim();
    expect(new Heater(ctx, 'bankA/cell[3,4]').name).toBe('bankA/cell[3,4]');
    expect(new Heater(ctx, 'maap[12]').name).toBe('maap[12]');
    expect(() => new Heater(ctx, 'bank A')).toThrow(/not a path/);
    expect(() => new Heater(ctx, 'x[')).toThrow(/not a path/);
  });

  it('gets a random stream that depends only on the seed and its name', () => {
    const one = sim(42);
    const lone = new Heater(one.ctx, 'maap[7]');
    const draws = [lone.rng.uniform(), lone.rng.normal(), lone.rng.uniform()];
    const two = sim(42);
    // Other components exist and draw first; maap[7] must not notice.
    const other = new Heater(two.ctx, 'maap[6]');
    other.rng.uniform();
    const again = new Heater(two.ctx, 'maap[7]');
    expect([again.rng.uniform(), again.rng.normal(), again.rng.uniform()]).toEqual(draws);
    expect(new Heater(sim(43).ctx, 'maap[7]').rng.uniform()).not.toBe(draws[0]);
  });

  it('draws normal values with the right moments', () => {
    const rng = streamFor(7, 'moments');
    let sum = 0;
    let sq = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const x = rng.normal(3, 2);
      sum += x;
      sq += x * x;
    }
    const mean = sum / n;
    expect(mean).toBeCloseTo(3, 1);
    expect(Math.sqrt(sq / n - mean * mean)).toBeCloseTo(2, 1);
  });

  it('the model uses no Math.random or wall-clock time (outside the CLI)', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const f of readdirSync(dir)) {
        const p = path.join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts')) files.push(p);
      }
    };
    walk('src');
    const offenders = files.filter((f) => !f.startsWith(path.join('src', 'cli')) && /Math\.random\(|Date\.now\(|performance\.now\(/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
