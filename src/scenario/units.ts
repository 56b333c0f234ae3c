/**
 * Physical values in scenario files are strings with units: `1.5 ns`, `41.8 fJ`, `20 kOhm`,
 * `10 Ohm um^2`, `4.5e4 J/m^3`. They are parsed to SI numbers (times to integer picoseconds)
 * after checking their dimension against what the parameter is, so `41.8 fV` for an energy
 * is an error, not a silent 41.8e-15.
 */

/** Exponents of metre, kilogram, second, ampere, kelvin. */
type Dim = readonly [number, number, number, number, number];

interface UnitSymbol {
  readonly scale: number;
  readonly dim: Dim;
}

const D = (m: number, kg: number, s: number, a: number, k: number): Dim => [m, kg, s, a, k];

const SYMBOLS: Readonly<Record<string, UnitSymbol>> = {
  s: { scale: 1, dim: D(0, 0, 1, 0, 0) },
  m: { scale: 1, dim: D(1, 0, 0, 0, 0) },
  g: { scale: 1e-3, dim: D(0, 1, 0, 0, 0) },
  A: { scale: 1, dim: D(0, 0, 0, 1, 0) },
  K: { scale: 1, dim: D(0, 0, 0, 0, 1) },
  V: { scale: 1, dim: D(2, 1, -3, -1, 0) },
  W: { scale: 1, dim: D(2, 1, -3, 0, 0) },
  J: { scale: 1, dim: D(2, 1, -2, 0, 0) },
  eV: { scale: 1.602176634e-19, dim: D(2, 1, -2, 0, 0) },
  Ohm: { scale: 1, dim: D(2, 1, -3, -2, 0) },
  ohm: { scale: 1, dim: D(2, 1, -3, -2, 0) },
  'Ω': { scale: 1, dim: D(2, 1, -3, -2, 0) },
  S: { scale: 1, dim: D(-2, -1, 3, 2, 0) },
  F: { scale: 1, dim: D(-2, -1, 4, 2, 0) },
  C: { scale: 1, dim: D(0, 0, 1, 1, 0) },
  Hz: { scale: 1, dim: D(0, 0, -1, 0, 0) },
  T: { scale: 1, dim: D(0, 1, -2, -1, 0) },
};

/** SI prefixes as powers of ten, so times convert to picoseconds without binary round-off. */
const PREFIXES: Readonly<Record<string, number>> = {
  y: -24,
  z: -21,
  a: -18,
  f: -15,
  p: -12,
  n: -9,
  u: -6,
  'µ': -6,
  'μ': -6,
  m: -3,
  c: -2,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
};

/** The kinds of physical value a parameter can be, with their dimension and an example. */
export const QUANTITY_KINDS = {
  time: { dim: D(0, 0, 1, 0, 0), example: '1.5 ns', si: 's' },
  frequency: { dim: D(0, 0, -1, 0, 0), example: '1 GHz', si: 'Hz' },
  energy: { dim: D(2, 1, -2, 0, 0), example: '41.8 fJ', si: 'J' },
  power: { dim: D(2, 1, -3, 0, 0), example: '64 uW', si: 'W' },
  voltage: { dim: D(2, 1, -3, -1, 0), example: '0.8 V', si: 'V' },
  current: { dim: D(0, 0, 0, 1, 0), example: '1 uA', si: 'A' },
  resistance: { dim: D(2, 1, -3, -2, 0), example: '20 kOhm', si: 'Ohm' },
  capacitance: { dim: D(-2, -1, 4, 2, 0), example: '1 fF', si: 'F' },
  length: { dim: D(1, 0, 0, 0, 0), example: '30 nm', si: 'm' },
  area: { dim: D(2, 0, 0, 0, 0), example: '90 nm^2', si: 'm^2' },
  volume: { dim: D(3, 0, 0, 0, 0), example: '2700 nm^3', si: 'm^3' },
  temperature: { dim: D(0, 0, 0, 0, 1), example: '300 K', si: 'K' },
  resistanceArea: { dim: D(4, 1, -3, -2, 0), example: '10 Ohm um^2', si: 'Ohm m^2' },
  resistivity: { dim: D(3, 1, -3, -2, 0), example: '10 mOhm cm', si: 'Ohm m' },
  energyDensity: { dim: D(-1, 1, -2, 0, 0), example: '4.5e4 J/m^3', si: 'J/m^3' },
  magnetization: { dim: D(-1, 0, 0, 1, 0), example: '1.7 MA/m', si: 'A/m' },
  inverseCurrent: { dim: D(0, 0, 0, -1, 0), example: '-310 1/A', si: '1/A' },
} as const;

export type QuantityKind = keyof typeof QUANTITY_KINDS;

export type ParseResult = { ok: true; value: number } | { ok: false; error: string };

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/;
const TERM = /^(?:1|[A-Za-zµμΩ]+)(?:\^(-?\d+))?$/;

interface Unit {
  readonly scale: number;
  /** The scale as a power of ten, when it is one (all but eV and the like); else NaN. */
  readonly exp10: number;
  readonly dim: number[];
}

const symbolScaleExp = (sym: UnitSymbol): number => {
  const e = Math.round(Math.log10(sym.scale));
  return 10 ** e === sym.scale ? e : Number.NaN;
};

function symbolOf(token: string): { sym: UnitSymbol; exp10: number } | undefined {
  const whole = SYMBOLS[token];
  if (whole !== undefined) return { sym: whole, exp10: symbolScaleExp(whole) };
  for (const [prefix, exponent] of Object.entries(PREFIXES)) {
    if (token.length > prefix.length && token.startsWith(prefix)) {
      const base = SYMBOLS[token.slice(prefix.length)];
      if (base !== undefined) return { sym: { scale: 10 ** exponent * base.scale, dim: base.dim }, exp10: exponent + symbolScaleExp(base) };
    }
  }
  return undefined;
}

/** Parses a unit expression such as `kOhm`, `Ohm um^2`, `J/m^3`, `1/A` to scale and dimension. */
function parseUnit(unit: string): Unit | string {
  // Split into terms, remembering which follow a '/' (denominator).
  const tokens = unit
    .trim()
    .replace(/\s*\/\s*/g, ' / ')
    .replace(/\s*\*\s*/g, ' ')
    .split(/\s+/)
    .filter((t) => t !== '');
  let scale = 1;
  let exp10 = 0;
  const dim = [0, 0, 0, 0, 0];
  let divide = false;
  let terms = 0;
  for (const token of tokens) {
    if (token === '/') {
      if (divide || terms === 0) return `misplaced '/' in unit '${unit}'`;
      divide = true;
      continue;
    }
    const m = TERM.exec(token);
    if (m === null) return `'${token}' is not a unit`;
    const name = token.replace(/\^-?\d+$/, '');
    const power = (m[1] === undefined ? 1 : Number(m[1])) * (divide ? -1 : 1);
    divide = false;
    terms++;
    if (name === '1') continue;
    const found = symbolOf(name);
    if (found === undefined) return `'${name}' is not a unit`;
    scale *= found.sym.scale ** power;
    exp10 += found.exp10 * power;
    for (let i = 0; i < 5; i++) dim[i]! += found.sym.dim[i]! * power;
  }
  if (divide) return `unit '${unit}' ends with '/'`;
  return { scale, exp10, dim };
}

function describeDim(dim: readonly number[]): string {
  const names = ['m', 'kg', 's', 'A', 'K'];
  const parts = names.flatMap((n, i) => (dim[i] === 0 ? [] : [dim[i] === 1 ? n : `${n}^${dim[i]}`]));
  return parts.length === 0 ? 'no dimension' : parts.join(' ');
}

/**
 * Parses `text` as a value of `kind`, to SI units (time: integer picoseconds). Never
 * throws: a bad value comes back as an error sentence naming what was expected.
 */
export function parseQuantity(text: unknown, kind: QuantityKind): ParseResult {
  const spec = QUANTITY_KINDS[kind];
  const expected = `${article(kindLabel(kind))} with its unit, like '${spec.example}'`;
  if (typeof text === 'number') return { ok: false, error: `missing unit: expected ${expected}, got the bare number ${text}` };
  if (typeof text !== 'string') return { ok: false, error: `expected ${expected}, got ${describeValue(text)}` };
  const s = text.trim();
  const num = NUMBER.exec(s);
  if (num === null) return { ok: false, error: `expected ${expected}, got '${text}'` };
  const unitText = s.slice(num[0].length).trim();
  if (unitText === '') return { ok: false, error: `missing unit: expected ${expected}, got '${text}'` };
  const unit = parseUnit(unitText);
  if (typeof unit === 'string') return { ok: false, error: `${unit}: expected ${expected}, got '${text}'` };
  if (unit.dim.some((d, i) => d !== spec.dim[i])) {
    return { ok: false, error: `wrong unit '${unitText}' (${describeDim(unit.dim)}): expected ${expected}` };
  }
  const value = Number(num[0]) * unit.scale;
  if (!Number.isFinite(value)) return { ok: false, error: `'${text}' is out of range` };
  if (kind === 'time') {
    // Scale by an exact power of ten where possible: 8427199844229946 ps stays that number.
    const psValue = Number.isFinite(unit.exp10) ? Number(num[0]) * 10 ** (unit.exp10 + 12) : value * 1e12;
    const rounded = Math.round(psValue);
    if (Math.abs(psValue - rounded) > 1e-6 * Math.max(1, Math.abs(rounded))) {
      return { ok: false, error: `'${text}' is not a whole number of picoseconds (time resolution is 1 ps)` };
    }
    if (rounded < 0) return { ok: false, error: `'${text}' is negative; times must be >= 0` };
    if (!Number.isSafeInteger(rounded)) return { ok: false, error: `'${text}' is beyond 2^53 ps` };
    return { ok: true, value: rounded === 0 ? 0 : rounded };
  }
  return { ok: true, value };
}

/** "a time", "an energy". */
export const article = (noun: string): string => `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;

export function kindLabel(kind: QuantityKind): string {
  return kind.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${String(v)}`;
}

const ENGINEERING: readonly [number, string][] = [
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
  [1, ''],
  [1e-3, 'm'],
  [1e-6, 'u'],
  [1e-9, 'n'],
  [1e-12, 'p'],
  [1e-15, 'f'],
  [1e-18, 'a'],
  [1e-21, 'z'],
  [1e-24, 'y'],
];

/** The engineering prefix for a magnitude, and its factor: 4.2e-8 -> [1e-9, 'n'] (a value that rounds up to 1000 takes the next one). */
export function engineeringPrefix(abs: number): readonly [number, string] {
  return ENGINEERING.find(([f]) => abs >= f * 0.9995) ?? ENGINEERING[ENGINEERING.length - 1]!;
}

/**
 * Formats an SI value with an engineering prefix: `formatSI(4.2e-8, 's')` is `42.0 ns`.
 * `digits` significant digits (3 for tables; 15 round-trips exactly through parseQuantity).
 */
export function formatSI(value: number, unit: string, digits = 3): string {
  if (value === 0 || !Number.isFinite(value)) return `${value} ${unit}`;
  const [factor, prefix] = engineeringPrefix(Math.abs(value));
  const scaled = value / factor;
  const intDigits = Math.max(1, Math.floor(Math.log10(Math.abs(scaled))) + 1);
  const text = scaled.toFixed(Math.max(0, digits - intDigits));
  return `${text} ${prefix}${unit}`;
}

/** Formats a value of `kind` back to a string parseQuantity accepts (time given in ps). */
export function formatQuantity(value: number, kind: QuantityKind, digits = 15): string {
  if (kind === 'time') return `${value} ps`;
  const si = QUANTITY_KINDS[kind].si;
  return /^[A-Za-zΩ]+$/.test(si) ? formatSI(value, si, digits) : `${value.toPrecision(digits)} ${si}`;
}
