import { engineeringPrefix } from '../scenario/units.js';
import { splitQuantity } from '../sweep/axes.js';

/** How a field is shown on an axis: its values scaled to a unit, and its title. */
export interface AxisQuantity {
  readonly title: string;
  /** Multiplies a stored value into the shown unit. */
  readonly scale: number;
  /** Reads a stored value (a number, or a quantity as written, `17 nm`) as a number; undefined if it is not one. */
  readonly read: (v: unknown) => number | undefined;
}

/** Units of report keys, by how their names end (the report's own convention: energy_j, latency_ps). */
const SUFFIXES: readonly (readonly [RegExp, string, number])[] = [
  [/_m2$/, 'm²', 1],
  [/_j$/, 'J', 1],
  [/_ps$/, 's', 1e-12],
  [/_s$/, 's', 1],
  [/_w$/, 'W', 1],
  [/_m$/, 'm', 1],
  [/_v$/, 'V', 1],
  [/_a$/, 'A', 1],
  [/_ohm$/, 'Ω', 1],
];

/** A report key as words: `energy_breakdown[action=sram_read].energy_j` -> `sram_read energy`. */
export function fieldWords(key: string): string {
  const chips = /(?:^|\.)chips\.(mean|sd|min|max)$/.exec(key);
  if (chips !== null) return `accuracy, ${chips[1] === 'sd' ? 'sd' : chips[1]} over chips`;
  const filters = [...key.matchAll(/\[\w+=([^\]]*)\]/g)].map((m) => m[1]!);
  const last = key.replace(/\[[^\]]*\]/g, '').split('.').pop() ?? key;
  const bare = last === 'rate' || last === 'ci95' ? (key.replace(/\[[^\]]*\]/g, '').split('.').slice(-2, -1)[0] ?? last) : last;
  const unit = SUFFIXES.find(([re]) => re.test(bare));
  const words = (unit === undefined ? bare : bare.replace(unit[0], '')).replace(/_/g, ' ');
  return [...filters, words].join(' ');
}

/**
 * How to show a field whose stored values are `values`: axis values written with a unit keep
 * it (`17 nm`); report keys get theirs from their names, with an SI prefix that puts the
 * largest value between 1 and 1000; rates are shown in percent.
 */
export function axisQuantity(key: string, values: readonly unknown[], title?: string): AxisQuantity {
  const written = values.map(splitQuantity);
  const units = new Set(written.map((w) => w?.unit));
  if (written.every((w) => w !== undefined) && units.size === 1 && [...units][0] !== '') {
    const unit = [...units][0]!;
    return { title: title ?? `${fieldWords(key)} (${unit})`, scale: 1, read: (v) => splitQuantity(v)?.value };
  }
  const read = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : splitQuantity(v)?.value);
  if (/(^|\.)rate$/.test(key) || /(^|\.)chips\.(mean|sd|min|max)$/.test(key)) return { title: title ?? `${fieldWords(key)} (%)`, scale: 100, read };
  const suffix = SUFFIXES.find(([re]) => re.test(key));
  if (suffix === undefined) return { title: title ?? fieldWords(key), scale: 1, read };
  const [, unit, base] = suffix;
  // An area reads in mm² (a chip's unit); a prefix on m² would not mean what it says.
  if (unit === 'm²') return { title: title ?? `${fieldWords(key)} (mm²)`, scale: 1e6, read };
  const largest = Math.max(0, ...values.map((v) => Math.abs((read(v) ?? 0) * base)));
  const [factor, prefix] = engineeringPrefix(largest);
  // Axis titles can show the micro sign that terminal tables write as u.
  return { title: title ?? `${fieldWords(key)} (${prefix === 'u' ? 'µ' : prefix}${unit})`, scale: largest === 0 ? base : base / factor, read };
}
