import path from 'node:path';
import { scenarioJsonSchema } from '../arch/json-schema.js';
import { designs } from '../arch/registry.js';
import { checkScenario } from '../arch/runner.js';
import { loadScenario, type Scenario } from '../arch/scenario.js';
import { displayPath } from '../scenario/load.js';
import { render } from './format.js';
import { writeText, type CliIo } from './io.js';

/** `spinarch validate`: the scenario loads, its network maps onto its design. */
export function validateCommand(file: string, set: readonly string[], io: CliIo): void {
  const s = loadScenario(file, set);
  checkScenario(s);
  io.out(`${displayPath(path.resolve(file))}: ok (${describe(s)})\n`);
}

/** `spinarch designs`: what a scenario's `design:` can name. */
export function designsCommand(io: CliIo): void {
  io.out(render([['design', 'what it is'], ...designs.map((d) => [d.name, d.title])]));
}

/** `spinarch schema`: the scenario files' JSON Schema, printed or written. */
export function schemaCommand(out: string | undefined, io: CliIo): void {
  const text = `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
  if (out === undefined) io.out(text);
  else writeText(out, text);
}

function describe(s: Scenario): string {
  const shapes = s.layers.map((l) => l.spec.type).join(' -> ');
  return `design ${s.design.name}, ${s.layers.length} layers: ${shapes}`;
}
