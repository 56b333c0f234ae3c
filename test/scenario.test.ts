import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadScenario, variant } from '../src/arch/scenario.js';
import { scenarioJsonSchema } from '../src/arch/json-schema.js';
import { quantity, wholeNumber } from '../src/scenario/fields.js';
import { ScenarioError, formatIssue } from '../src/scenario/errors.js';
import { applySets, displayPath, readScenario, validate } from '../src/scenario/load.js';
import { tempFiles } from './helpers.js';

const schema = z.strictObject({
  design: z.literal('toy'),
  seed: z.number(),
  params: z.strictObject({
    timing: z.strictObject({ stage_delay: quantity('time', { min: 1 }), window: quantity('time') }),
    bits: wholeNumber(1, 32),
  }),
  layers: z.array(z.discriminatedUnion('type', [z.strictObject({ type: z.literal('conv'), kernel: wholeNumber(1) }), z.strictObject({ type: z.literal('relu') })])),
});

const BASE = `design: toy
seed: 1
params:
  timing:
    stage_delay: 1.5 ns
    window: 130 ps
  bits: 8
layers:
  - { type: conv, kernel: 3 }
  - { type: relu }
`;

/** The located messages of the ScenarioError that `f` throws. */
function issues(f: () => unknown): string[] {
  try {
    f();
  } catch (error) {
    if (error instanceof ScenarioError) return error.issues.map(formatIssue);
    throw error;
  }
  throw new Error('expected a ScenarioError');
}

describe('scenario files', () => {
  it('parse units and keep every value where it was written', () => {
    const dir = tempFiles({ 'toy.yaml': BASE });
    const s = validate(readScenario(path.join(dir, 'toy.yaml')), schema);
    expect(s.params.timing).toEqual({ stage_delay: 1500, window: 130 });
    expect(Object.isFrozen(s.params.timing)).toBe(true);
  });

  it('name the file, line, key path and what was expected, for each problem', () => {
    const dir = tempFiles({
      'bad.yaml': BASE.replace('130 ps', '130 pV').replace('bits: 8', 'bits: 8.5\n  bitz: 4').replace('{ type: relu }', '{ type: reul }').replace('1.5 ns', '1.5'),
    });
    const file = path.join(dir, 'bad.yaml');
    const shown = displayPath(file);
    expect(issues(() => validate(readScenario(file), schema)).sort()).toEqual(
      [
        `${shown}:5:5: params.timing.stage_delay: missing unit: expected a time with its unit, like '1.5 ns', got the bare number 1.5`,
        `${shown}:6:5: params.timing.window: wrong unit 'pV' (m^2 kg s^-3 A^-1): expected a time with its unit, like '1.5 ns'`,
        `${shown}:7:3: params.bits: expected int, got number 8.5`,
        `${shown}:8:3: params.bitz: unknown key 'bitz' (did you mean 'bits'?)`,
        `${shown}:11:7: layers[1].type: unknown type 'reul': expected one of conv, relu (did you mean 'relu'?)`,
      ].sort(),
    );
  });

  it('report a missing key at its parent, and a value out of range', () => {
    const dir = tempFiles({ 'm.yaml': BASE.replace('    window: 130 ps\n', '').replace('1.5 ns', '0 ps') });
    const shown = displayPath(path.join(dir, 'm.yaml'));
    expect(issues(() => validate(readScenario(path.join(dir, 'm.yaml')), schema))).toEqual([
      `${shown}:5:5: params.timing.stage_delay: must be at least 1 ps, got '0 ps'`,
      `${shown}:4:3: params.timing.window: required key is missing: expected a time with its unit, like '1.5 ns'`,
    ]);
  });

  it('report YAML syntax errors, missing files and extends cycles', () => {
    const dir = tempFiles({ 'syntax.yaml': 'design: toy\nseed: [1\n', 'a.yaml': 'extends: b.yaml\n', 'b.yaml': 'extends: a.yaml\n', 'dup.yaml': 'seed: 1\nseed: 2\n' });
    const rel = (f: string): string => displayPath(path.join(dir, f));
    expect(issues(() => readScenario(path.join(dir, 'syntax.yaml')))[0]).toMatch(/syntax\.yaml:3:1: YAML: Flow sequence/);
    expect(issues(() => readScenario(path.join(dir, 'dup.yaml')))[0]).toBe(`${rel('dup.yaml')}:2:1: seed: YAML: map keys must be unique: 'seed' is given twice`);
    expect(issues(() => readScenario(path.join(dir, 'nope.yaml')))).toEqual([`${rel('nope.yaml')}: cannot read scenario: no such file`]);
    expect(issues(() => readScenario(path.join(dir, 'a.yaml')))[0]).toContain(`extends cycle: ${rel('a.yaml')} -> ${rel('b.yaml')} -> ${rel('a.yaml')}`);
  });

  it('extends a base: mappings merge, other values replace, and errors point at the right file', () => {
    const dir = tempFiles({
      'base.yaml': BASE,
      'child.yaml': 'extends: base.yaml\nparams:\n  timing:\n    window: 2 ns\n  bits: 4\n',
      'broken.yaml': 'extends: base.yaml\nparams:\n  timing:\n    window: 2 nV\n',
    });
    const child = validate(readScenario(path.join(dir, 'child.yaml')), schema);
    expect(child.params).toEqual({ timing: { stage_delay: 1500, window: 2000 }, bits: 4 });
    expect(child.layers).toHaveLength(2);
    const shown = displayPath(path.join(dir, 'broken.yaml'));
    expect(issues(() => validate(readScenario(path.join(dir, 'broken.yaml')), schema))).toEqual([
      `${shown}:4:5: params.timing.window: wrong unit 'nV' (m^2 kg s^-3 A^-1): expected a time with its unit, like '1.5 ns'`,
    ]);
  });

  it('--set overrides make new scenarios and leave the base as it was (immer)', () => {
    const dir = tempFiles({ 'toy.yaml': BASE });
    const base = readScenario(path.join(dir, 'toy.yaml'));
    const a = applySets(base, ['params.timing.window=200 ps', 'layers[0].kernel=5']);
    const b = applySets(base, ['params.bits=16', 'layers.1.type=conv', 'layers.1.kernel=1']);
    expect(validate(a, schema).params.timing.window).toBe(200);
    expect(validate(a, schema).layers[0]).toEqual({ type: 'conv', kernel: 5 });
    expect(validate(b, schema).params.bits).toBe(16);
    expect(validate(b, schema).layers[1]).toEqual({ type: 'conv', kernel: 1 });
    expect(validate(base, schema).params).toEqual({ timing: { stage_delay: 1500, window: 130 }, bits: 8 });
    expect(Object.isFrozen(a.data)).toBe(true);
    expect(() => ((base.data['params'] as Record<string, unknown>)['bits'] = 1)).toThrow(TypeError);
    expect(issues(() => validate(applySets(base, ['params.timing.window=5']), schema))).toEqual([
      "--set params.timing.window=5: params.timing.window: missing unit: expected a time with its unit, like '1.5 ns', got the bare number 5",
    ]);
    expect(issues(() => applySets(base, ['nonsense']))[0]).toMatch(/expected --set path.to.key=value/);
    expect(issues(() => validate(applySets(base, ['params.colour=red']), schema))).toEqual(["--set params.colour=red: params.colour: unknown key 'colour' (allowed: timing, bits)"]);
  });
});

describe('bundled scenarios', () => {
  it('all validate, and variants of one loaded scenario do not leak into each other', () => {
    const irmen = loadScenario('scenarios/irmen-dual-cenn.yaml');
    const longer = variant(irmen, ["params.irmen.fm_length=60 nm"]);
    expect(longer.value).not.toBe(irmen.value);
    expect((longer.value as unknown as { params: { irmen: { fm_length: number } } }).params.irmen.fm_length).toBeCloseTo(60e-9, 20);
    expect((irmen.value as unknown as { params: { irmen: { fm_length: number } } }).params.irmen.fm_length).toBeCloseTo(30e-9, 20);
  });

  it('the committed JSON Schema is the one the code generates', () => {
    const committed = JSON.parse(readFileSync('schema/scenario.schema.json', 'utf8')) as unknown;
    expect(committed).toEqual(JSON.parse(JSON.stringify(scenarioJsonSchema())));
  });
});
