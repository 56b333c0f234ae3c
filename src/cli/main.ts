import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { IdxError } from '../arch/idx.js';
import { mnistImages, type ImageSource } from '../arch/input.js';
import { scenarioJsonSchema } from '../arch/json-schema.js';
import { designs } from '../arch/registry.js';
import { RunError, runScenario } from '../arch/runner.js';
import { loadScenario, type Scenario } from '../arch/scenario.js';
import { WeightsError } from '../arch/weights.js';
import { ScenarioError, formatIssue } from '../scenario/errors.js';
import { displayPath } from '../scenario/load.js';
import { TimeError } from '../scheduler/time.js';
import { figuresMarkdown, publishedFigures, readmeBlocks } from './figures.js';
import { count, formatRun, joules, render, seconds } from './format.js';
import { UsageError, processIo, type CliIo } from './io.js';
import { bundledScenarios, projectRoot } from './paths.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number >= 1, got '${value}'`);
    return n;
  };
}

function nonNegativeInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number >= 0, got '${value}'`);
    return n;
  };
}

interface InputOptions {
  mnist?: string;
  index: number;
  mnistSet: 'test' | 'train';
}

function imageSource(o: InputOptions): ImageSource | undefined {
  return o.mnist === undefined ? undefined : mnistImages(o.mnist, o.index, o.mnistSet);
}

function addInputOptions(cmd: Command): Command {
  return cmd
    .option('--mnist <dir>', 'feed MNIST images from the IDX files in <dir> (t10k-images-idx3-ubyte[.gz], ...) instead of synthetic digits')
    .option('--index <k>', 'first MNIST image to feed', nonNegativeInt('--index'), 0)
    .addOption(new Option('--mnist-set <set>', 'which MNIST set').choices(['test', 'train']).default('test'));
}

/** Runs one command line; returns the exit code (0 ok, 2 bad input, 1 internal error). */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const program = new Command();
  program
    .name('spinarch')
    .description('Event-driven, picosecond-resolution simulator of spintronic neural-network accelerators.\nDescribe a design in a scenario file, run it, and read what the hardware does per image.')
    .version(readVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `\nExamples:\n  spinarch run scenarios/irmen-dual-cenn.yaml\n  spinarch run scenarios/irmen-dual-cenn.yaml --json --set params.irmen.fm_length='45 nm'\n  spinarch validate scenarios/charge-cenn.yaml\n  spinarch designs`);

  addInputOptions(
    program
      .command('run')
      .description('simulate a scenario and report latency, energy (by component and action), counts, memory traffic and power, per image')
      .argument('<scenario>', 'scenario file (YAML)')
      .option('--json', 'print one JSON object instead of tables')
      .option('--images <n>', 'images to run, one after the other (figures are per image)', positiveInt('--images'), 1)
      .option('--set <key=value>', "override a scenario key, e.g. --set params.timing.window='150 ps' (repeatable)", collect, []),
  ).action((file: string, o: { json?: boolean; images: number; set: string[] } & InputOptions) => {
    const scenario = loadScenario(file, o.set);
    const source = imageSource(o);
    const report = runScenario(scenario, {
      images: o.images,
      ...(source === undefined ? {} : { source }),
      onProgress: progress(io, o.images),
    });
    io.out(o.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatRun(report));
  });

  program
    .command('validate')
    .description('check a scenario file (units, keys, network shapes, mapping) without running it')
    .argument('<scenario>', 'scenario file (YAML)')
    .option('--set <key=value>', 'override a scenario key (repeatable)', collect, [])
    .action((file: string, o: { set: string[] }) => {
      const s = loadScenario(file, o.set);
      io.out(`${displayPath(path.resolve(file))}: ok (${describe(s)})\n`);
    });

  program
    .command('designs')
    .description('list the designs scenarios can name')
    .action(() => {
      io.out(render([['design', 'what it is'], ...designs.map((d) => [d.name, d.title])]));
    });

  program
    .command('schema')
    .description('print the JSON Schema of scenario files (for editor completion and checking)')
    .option('--out <file>', 'write it to <file> instead of printing')
    .action((o: { out?: string }) => {
      const text = `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
      if (o.out === undefined) io.out(text);
      else writeFile(o.out, text);
    });

  program
    .command('figures')
    .description("print the seeds' published figures beside what spinarch computes for them (a Markdown table)")
    .option('--update <file>', 'rewrite the generated tables (between <!-- NAME:begin --> and <!-- NAME:end --> markers) in <file>, the README')
    .action((o: { update?: string }) => {
      if (o.update === undefined) {
        io.out(figuresMarkdown(publishedFigures()));
        return;
      }
      let text: string;
      try {
        text = readFileSync(o.update, 'utf8');
      } catch (error) {
        throw new UsageError(`cannot read ${o.update}: ${(error as Error).message}`);
      }
      for (const [name, table] of Object.entries(readmeBlocks())) {
        const marked = new RegExp(`(<!-- ${name}:begin -->\\n)[\\s\\S]*?(<!-- ${name}:end -->)`);
        if (!marked.test(text)) throw new UsageError(`${o.update} has no <!-- ${name}:begin --> ... <!-- ${name}:end --> block`);
        text = text.replace(marked, (_m, begin: string, end: string) => `${begin}${table}${end}`);
      }
      writeFile(o.update, text);
      io.out(`updated the generated tables in ${o.update}\n`);
    });

  program
    .command('start')
    .description('the main job: run every bundled scenario and show them side by side')
    .action(() => {
      const rows: string[][] = [['scenario', 'design', 'latency', 'energy', 'events']];
      for (const file of bundledScenarios()) {
        const r = runScenario(loadScenario(file));
        rows.push([r.scenario, r.design, seconds(r.latency_ps), joules(r.energy_j), count(r.events)]);
      }
      io.out(render(rows, [2, 3, 4]));
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    return reportError(error, io);
  }
}

function writeFile(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (error) {
    throw new UsageError(`cannot write ${file}: ${(error as Error).message}`);
  }
}

function describe(s: Scenario): string {
  const shapes = s.layers.map((l) => l.spec.type).join(' -> ');
  return `design ${s.design.name}, ${s.layers.length} layers: ${shapes}`;
}

function progress(io: CliIo, total: number): ((done: number, total: number) => void) | undefined {
  if (!io.errIsTty || total < 2) return undefined;
  return (done) => io.err(`\rimage ${done}/${total}${done === total ? '\n' : ''}`);
}

function readVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Prints an error the way a user needs it; returns the exit code. */
export function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Commander has printed its message (or the help) already.
    return error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : 2;
  }
  if (error instanceof ScenarioError) {
    for (const issue of error.issues) io.err(`${formatIssue(issue)}\n`);
    return 2;
  }
  if (error instanceof UsageError || error instanceof IdxError || error instanceof WeightsError || error instanceof RunError || error instanceof TimeError) {
    io.err(`spinarch: ${error.message}\n`);
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.err(`spinarch: internal error: ${message}\n`);
  if (process.env['SPINARCH_DEBUG'] === '1' && error instanceof Error && error.stack !== undefined) io.err(`${error.stack}\n`);
  else io.err('(this is a bug in spinarch; run with SPINARCH_DEBUG=1 for the stack trace)\n');
  return 1;
}

/** Entry point of the `spinarch` binary. */
export async function main(): Promise<void> {
  process.exitCode = await runCli(process.argv.slice(2));
}
