import { Command, CommanderError, Option } from 'commander';
import { RunError } from '../arch/run-error.js';
import { IdxError } from '../data/idx.js';
import { spinarchVersion } from '../data/project.js';
import { WeightsError } from '../data/weights-error.js';
import { ScenarioError, formatIssues } from '../scenario/errors.js';
import { TimeError } from '../scheduler/time.js';
import { QueueUsageError } from '../sweep/queue/queue-error.js';
import { ShardError } from '../sweep/shard.js';
import { MAX_SWEEP_POINTS } from '../sweep/axes.js';
import { PointsFailedError, ResultsFileError, SweepMergeError } from '../sweep/sweep-error.js';
import { TraceFileError } from '../trace/sink.js';
import { defaultWorkers } from '../workers/threads.js';
import { InterruptedError, UsageError, processIo, type CliIo } from './io.js';
import { addInputOptions, collect, eventImages, nonNegativeInt, positiveInt, positiveNumber, type InputOptions } from './options.js';

// Only commander and the option parsers load up front (so --help answers at once); each
// command's implementation, and what it needs, loads when that command runs.

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
    .addHelpText('after', `\nExamples:\n  spinarch run scenarios/irmen-dual-cenn.yaml\n  spinarch run scenarios/irmen-dual-cenn.yaml --json --set params.irmen.fm_length='45 nm'\n  spinarch run scenarios/maap-cnn-4bit.yaml --mnist --images 20\n  spinarch eval scenarios/maap-cnn-4bit.yaml\n  spinarch train scenarios/irmen-dual-cenn.yaml --out irmen.weights.json\n  spinarch compare scenarios/charge-cenn.yaml scenarios/irmen-dual-cenn.yaml\n  spinarch report scenarios/charge-cenn.yaml scenarios/irmen-dual-cenn.yaml --out report.html\n  spinarch trace scenarios/maap-cnn-4bit.yaml --op 'L2/out[17]'\n  spinarch trace scenarios/sot-mlp.yaml --vcd sot.vcd --perfetto sot.pftrace\n  spinarch validate scenarios/charge-cenn.yaml\n  spinarch sweep sweeps/irmen-fig7a-energy-vs-fm-length.yaml\n  spinarch results docs/figures/irmen-fig7a-energy-vs-fm-length.jsonl --csv`);

  addInputOptions(
    program
      .command('run')
      .description('simulate a scenario and report latency, energy (by component and action), counts, memory traffic and power, per image')
      .argument('<scenario>', 'scenario file (YAML)')
      .option('--json', 'print one JSON object instead of tables')
      .option('--images <n>', 'images to run (figures are per image)', eventImages('--images'), 1)
      .option('--workers <n>', 'threads to spread the images over, one per core by default (more than the cores are capped, with a note); the report does not depend on it', positiveInt('--workers'), defaultWorkers())
      .option('--set <key=value>', "override a scenario key, e.g. --set params.timing.window='150 ps' (repeatable)", collect, []),
  ).action(async (file: string, o: { json?: boolean; images: number; workers: number; set: string[] } & InputOptions) => {
    await (await import('./run.js')).runCommand(file, o, io);
  });

  program
    .command('validate')
    .description('check a scenario file (units, keys, network shapes, mapping) without running it')
    .argument('<scenario>', 'scenario file (YAML)')
    .option('--set <key=value>', 'override a scenario key (repeatable)', collect, [])
    .action(async (file: string, o: { set: string[] }) => {
      (await import('./scenario-info.js')).validateCommand(file, o.set, io);
    });

  program
    .command('designs')
    .description('list the designs scenarios can name')
    .action(async () => {
      (await import('./scenario-info.js')).designsCommand(io);
    });

  program
    .command('import')
    .description("read an ONNX model (Conv, Gemm, MatMul + Add, Relu, Sigmoid, Tanh, MaxPool, Flatten, a final Softmax; BatchNormalization folded) as a scenario of a design: its network as layers, its weights in a weights file beside it, the model's SHA-256 and opset in their provenance; what the design cannot map is refused at its node")
    .argument('<model>', 'ONNX model file (.onnx)')
    .requiredOption('--design <name>', 'the design to map it onto (spinarch designs lists them)')
    .requiredOption('--out <file>', 'scenario to write (YAML)')
    .option('--weights <file>', 'weights file to write (default: <out name>.weights.json beside --out)')
    .option('--json', 'print what was written as JSON')
    .option('--force', 'replace existing --out / --weights files that are not a scenario / weights file')
    .addHelpText('after', ['', 'Examples:', '  spinarch import examples/lenet.onnx --design maap-cnn --out lenet.yaml', '  spinarch eval lenet.yaml --images 1000', '', 'A scenario can also name the model directly: network: { onnx: model.onnx } (relative to the scenario).'].join('\n'))
    .action(async (model: string, o: { design: string; out: string; weights?: string; json?: boolean; force?: boolean }) => {
      (await import('./import.js')).importCommand(model, o, io);
    });

  program
    .command('schema')
    .description('print the JSON Schema of scenario files (for editor completion and checking)')
    .option('--out <file>', 'write it to <file> instead of printing')
    .option('--force', 'replace an existing --out file that is not a JSON Schema')
    .action(async (o: { out?: string; force?: boolean }) => {
      if (o.out !== undefined) (await import('./outputs.js')).checkOutputs([{ flag: '--out', file: o.out, kind: 'schema' }], [], o.force === true);
      (await import('./scenario-info.js')).schemaCommand(o.out, io);
    });

  program
    .command('figures')
    .description("print the seeds' published figures beside what spinarch computes for them (a Markdown table)")
    .option('--update <file>', 'rewrite the generated tables (between <!-- NAME:begin --> and <!-- NAME:end --> markers) in <file>, the README')
    .option('--evaluate', 'first evaluate every accuracy figure over the 10,000 MNIST test images and write docs/accuracy.json (minutes)')
    .option('--workers <n>', 'worker threads for --evaluate (default: one per core)', positiveInt('--workers'))
    .option('--cases <prefixes>', "with --evaluate: only the cases whose id starts with one of these (comma-separated, e.g. 'sot,mtj'); the others' results are kept")
    .action(async (o: { update?: string; evaluate?: boolean; workers?: number; cases?: string }) => {
      await (await import('./figures-command.js')).figuresCommand(o, io);
    });

  addInputOptions(
    program
      .command('compare')
      .description('run several scenarios and show them side by side, with ratios to a baseline')
      .argument('<scenario...>', 'scenario files (YAML)')
      .option('--baseline <name>', 'scenario to take ratios against (default: the first)')
      .option('--json', 'print JSON')
      .option('--csv', 'print CSV')
      .option('--markdown', 'print a Markdown table')
      .option('--images <n>', 'images per scenario, at event level', eventImages('--images'), 1)
      .option('--accuracy-images <n>', 'accuracy from the functional model over the first n MNIST test images (else from the images run)', positiveInt('--accuracy-images'))
      .option('--chips <n>', "with --accuracy-images: evaluate N dies of each design (from the scenario's chip key on, as eval --chips): the accuracy pooled over them, and a row of their mean with its sd and min-max", positiveInt('--chips', 1000))
      .option('--workers <n>', 'threads for the event-level images and --accuracy-images, one per core by default (more than the cores are capped, with a note); the figures do not depend on it', positiveInt('--workers'))
      .option('--set <key=value>', 'override a key in every scenario (repeatable)', collect, []),
  ).action(async (files: string[], o: { baseline?: string; json?: boolean; csv?: boolean; markdown?: boolean; images: number; accuracyImages?: number; chips?: number; workers?: number; set: string[] } & InputOptions) => {
    const formats = (['json', 'csv', 'markdown'] as const).filter((f) => o[f] === true);
    if (formats.length > 1) throw new UsageError('give at most one of --json, --csv, --markdown');
    const [{ compareScenarios }, { imageSource }] = await Promise.all([import('./compare.js'), import('./input.js')]);
    const source = imageSource(o, o.images);
    await compareScenarios(
      files,
      {
        ...(o.baseline === undefined ? {} : { baseline: o.baseline }),
        format: formats[0] ?? 'table',
        images: o.images,
        set: o.set,
        ...(source === undefined ? {} : { source }),
        ...(o.accuracyImages === undefined ? {} : { accuracyImages: o.accuracyImages }),
        ...(o.chips === undefined ? {} : { chips: o.chips }),
        ...(o.mnist === undefined || o.mnist === true ? {} : { mnist: o.mnist }),
        ...(o.workers === undefined ? {} : { workers: o.workers }),
      },
      io,
    );
  });

  addInputOptions(
    program
      .command('trace')
      .description('run a scenario with tracers: a Perfetto trace, a VCD waveform, and/or one operation followed through the machine')
      .argument('<scenario>', 'scenario file (YAML)')
      .option('--perfetto <file>', "write a Perfetto trace (ui.perfetto.dev), its format by the extension: .pftrace (.perfetto-trace, .pb) Perfetto's own protobuf, a fifth of the size, times x1000 (1 ns on its axis is 1 ps); .json Chrome trace-event JSON (also chrome://tracing), real time")
      .option('--vcd <file>', 'write an IEEE 1364 value change dump (GTKWave)')
      .option('--op <selector>', "list every event of one operation, e.g. 'L2/out[17]' (maap-cnn), 'stage[5]/v[0,3,4]' (CeNN), 'L0/row[3]' (MLPs)")
      .option('--from <time>', "trace from this time ('12 ns', or picoseconds)")
      .option('--to <time>', 'trace up to this time')
      .option('--json', 'print the --op listing as JSON')
      .option('--images <n>', 'images to run', eventImages('--images'), 1)
      .option('--max-trace-size <size>', "what the trace files may take together ('500 MB', '10 GB', or bytes): a warning at 80 %, a stop at the limit, and nothing left behind (default 4 GB)")
      .option('--force', 'replace an existing --perfetto or --vcd file that is not a trace of its kind')
      .option('--set <key=value>', 'override a scenario key (repeatable)', collect, []),
  ).action(async (file: string, o: { perfetto?: string; vcd?: string; op?: string; from?: string; to?: string; json?: boolean; images: number; maxTraceSize?: string; force?: boolean; set: string[] } & InputOptions) => {
    const [{ traceScenario, parseSizeOption }, { imageSource }] = await Promise.all([import('./trace.js'), import('./input.js')]);
    const maxTraceSize = o.maxTraceSize === undefined ? undefined : parseSizeOption('--max-trace-size', o.maxTraceSize);
    const source = imageSource(o, o.images);
    const { maxTraceSize: _text, ...rest } = o;
    await traceScenario(file, { ...rest, ...(maxTraceSize === undefined ? {} : { maxTraceSize }), ...(source === undefined ? {} : { source }) }, io);
  });

  program
    .command('eval')
    .description('classify MNIST images with the functional model (same device models and noise, no event kernel) on all cores: accuracy with its 95 % interval, the confusion matrix, and the event-level cost of the first image')
    .argument('<scenario>', 'scenario file (YAML)')
    .option('--mnist [dir]', 'MNIST IDX files to read (default: the copy bundled in data/mnist)')
    .addOption(new Option('--mnist-set <set>', 'which MNIST set').choices(['test', 'train']).default('test'))
    .option('--images <n>', 'images to classify (default: all from --from)', positiveInt('--images'))
    .option('--from <k>', 'first image', nonNegativeInt('--from'), 0)
    .option('--workers <n>', 'worker threads, one per core by default (more than the cores are capped, with a note); the result does not depend on it', positiveInt('--workers'), defaultWorkers())
    .option('--json', 'print one JSON object')
    .option('--per-image', 'with --json: every image\'s label and predicted class')
    .option('--plain', 'the trained network in plain arithmetic (its quantizers, no devices; "GPU" in seed 004) instead of the hardware')
    .option('--chips <n>', "evaluate N dies of the design (chips from the scenario's chip key on; each draws its own process variation, thermal noise stays keyed by the image): each chip's accuracy, their mean, sd and range, and the interval pooled over all", positiveInt('--chips', 1000))
    .option('--set <key=value>', 'override a scenario key (repeatable)', collect, [])
    .action(async (file: string, o: { mnist?: string | true; mnistSet: 'test' | 'train'; images?: number; from: number; workers: number; json?: boolean; perImage?: boolean; plain?: boolean; chips?: number; set: string[] }) => {
      await (await import('./eval.js')).evalCommand(file, o, io);
    });

  program
    .command('train')
    .description("train the scenario's network on MNIST's 60,000 training images for its hardware (its cells' activation, its weight and activation quantization) and write a weights file with its provenance")
    .argument('<scenario>', 'scenario file (YAML)')
    .option('--mnist [dir]', 'MNIST IDX files to read (default: the copy bundled in data/mnist)')
    .option('--epochs <n>', "passes over the training images (default: the paper's where it says, else 6)", positiveInt('--epochs'))
    .option('--batch <n>', 'images per optimizer step', positiveInt('--batch'), 32)
    .option('--learning-rate <x>', 'Adam learning rate', positiveNumber('--learning-rate'), 0.005)
    .option('--decay <x>', 'learning rate factor after each epoch', positiveNumber('--decay'), 0.6)
    .option('--train-images <n>', 'train on the first n training images only', positiveInt('--train-images'))
    .option('--out <file>', 'weights file to write (default: <scenario name>.weights.json)')
    .option('--noise <range>', "noise-aware training (irmen-dual-cenn): every cell between the trained layers is read through the hardware's read model, its spread times a scale drawn for each image from MIN:MAX[:STEP] (or 0:MAX), e.g. 0:1.5; varied, so the network does not learn to lean on one noise level's bias")
    .addOption(
      new Option('--quantize <mode>', "when the network meets the hardware's quantizers (see below): aware trains through them, post trains in float and quantizes the weights after (default: aware; post for designs whose training has none, mtj-mlp)").choices(['aware', 'post']),
    )
    .option('--json', 'print the provenance as JSON')
    .option('--force', 'replace an existing --out file that is not a weights file')
    .option('--set <key=value>', 'override a scenario key, e.g. --set seed=7 (repeatable)', collect, [])
    .addHelpText(
      'after',
      [
        '',
        'Quantization (--quantize):',
        "  aware  quantization-aware training: the forward pass goes through the hardware's",
        '         weight quantizer (e.g. b-bit sign-magnitude templates), its activation',
        '         converters (b-bit ADC codes between layers) and its input code, the gradient',
        '         straight through them to float weights; the file holds those float weights',
        "         (a binarized student's +1/-1), quantized by the hardware as it loads them.",
        '  post   post-training quantization, as seed 003 did (trained in TensorFlow in float,',
        '         quantized after): every quantizer off while training (float weights and',
        "         activations, the hardware's activation shape kept, e.g. the ReLU saturating",
        '         where the cells do; a teacher-student design trains its teacher only), then',
        "         the weights quantized once by the design's weight quantizer; the file holds",
        '         those levels, and the hardware converts activations itself at run time. The',
        "         report gives the float accuracy and the post-quantized one through the",
        "         hardware's quantizers; the provenance says quantize: post.",
        '',
        'Examples:',
        '  spinarch train scenarios/maap-cnn-4bit.yaml --out maap4.json',
        '  spinarch train scenarios/maap-cnn-4bit.yaml --quantize post --out maap4-post.json',
        '  spinarch train scenarios/irmen-dual-cenn.yaml --noise 0:1.5 --train-images 12000 --epochs 2',
      ].join('\n'),
    )
    .action(async (file: string, o: { mnist?: string | true; epochs?: number; batch: number; learningRate: number; decay: number; trainImages?: number; out?: string; noise?: string; quantize?: 'aware' | 'post'; json?: boolean; force?: boolean; set: string[] }) => {
      // Where the weights go is checked before minutes of training, not after.
      const [{ checkOutputs, scenarioInputs }, { loadScenario, requireClassifierHead }] = await Promise.all([import('./outputs.js'), import('../arch/scenario.js')]);
      const scenario = loadScenario(file, o.set);
      requireClassifierHead(scenario);
      checkOutputs([{ flag: '--out', file: o.out ?? `${scenario.name}.weights.json`, kind: 'weights' }], scenarioInputs(scenario.raw, scenario), o.force === true);
      const { force: _force, ...options } = o;
      (await import('./train.js')).trainCommand(file, options, io);
    });

  program
    .command('sweep')
    .description('run a sweep: a scenario over axes of its keys, each point on its own core, results appended to JSON lines as they finish (a sweep started again runs only what is missing), then its plots as SVG')
    .argument('<file...>', 'sweep files (YAML), or one scenario file with --vary')
    .option('--vary <key=values>', "the short form: an axis of the scenario, KEY=V1,V2,... or KEY=A:B:STEP (repeatable), e.g. --vary params.irmen.fm_length='17 nm,30 nm,45 nm'", collect, [])
    .option('--metric <key>', 'with --vary: a report key to keep, e.g. energy_j, accuracy.rate, counts.adc_conversions (repeatable; default latency_ps and energy_j)', collect, [])
    .option('--set <key=value>', 'with --vary: override a scenario key at every point (repeatable)', collect, [])
    .option('--images <n>', 'with --vary: event-level images per point', eventImages('--images'))
    .option('--eval-images <n>', 'MNIST test images per point for accuracy (with --vary: adds an eval step; with a sweep file: instead of its eval.images)', positiveInt('--eval-images', 10_000, ' (the MNIST test set)'))
    .option('--eval-chips <n>', "dies per point for accuracy, like eval --chips (with --vary: adds an eval step; with a sweep file: instead of its eval.chips): each point keeps each chip's accuracy and chips.mean, chips.sd, chips.min, chips.max beside the pooled accuracy", positiveInt('--eval-chips', 1000))
    .option('--out <file>', "results file (JSON lines); default: the sweep file's out, else <name>.jsonl here")
    .option('--workers <n>', 'points run at once, each on its own thread; one per core by default (more than the cores are capped, with a note); the results do not depend on it', positiveInt('--workers'), defaultWorkers())
    .option('--retry-failed', 'run again the points whose results record a failure')
    .option('--force', 'replace an existing --out file (or plot) that is not of its kind (results: JSON lines from spinarch sweep)')
    .option('--max-points <n>', `refuse a sweep of more points than this, counted before any is built (default ${MAX_SWEEP_POINTS.toLocaleString('en-US')})`, positiveInt('--max-points'))
    .option('--queue <url>', 'queue mode: enqueue the missing points on Redis (redis://HOST:PORT[/DB]) for spinarch worker processes anywhere, and collect their results here')
    .option('--name <name>', "with --queue: the queue's name (default: points), to keep separate sweeps' workers apart")
    .option('--shard <I/N>', 'array-job mode: run only the I-th of N disjoint slices of the points (I from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX if only N is given), into <out>.part-I-of-N.jsonl; join them with spinarch merge')
    .option('--csv', 'print the results as CSV')
    .option('--markdown', 'print the results as a Markdown table')
    .option('--json', 'print the results as JSON')
    .addHelpText('after', `\nA sweep file:\n  scenario: ../scenarios/irmen-dual-cenn.yaml\n  axes:\n    params.irmen.fm_length: [17 nm, 30 nm, 45 nm, 60 nm]\n    params.ota.weight_bits: {from: 4, to: 8, step: 2}\n  run: {images: 1}          # event-level cost\n  eval: {images: 2000}      # accuracy over MNIST test images\n  metrics: [energy_j, accuracy.rate]\n  out: irmen.jsonl\n  plots:\n    - {out: irmen.svg, x: params.irmen.fm_length, y: accuracy.rate, series: params.ota.weight_bits}\n\nExit codes: 0 every point done, 2 bad input (nothing ran), 3 some points failed (each error is in its line).\n\nExamples:\n  spinarch sweep sweeps/irmen-fig7a-energy-vs-fm-length.yaml\n  spinarch sweep scenarios/maap-cnn-4bit.yaml --vary params.maap.sets=16,64,256 --metric latency_ps --csv`)
    .action(async (files: string[], o: { vary: string[]; metric: string[]; set: string[]; images?: number; evalImages?: number; evalChips?: number; out?: string; workers: number; retryFailed?: boolean; force?: boolean; maxPoints?: number; csv?: boolean; markdown?: boolean; json?: boolean; queue?: string; name?: string; shard?: string }) => {
      const formats = (['csv', 'markdown', 'json'] as const).filter((f) => o[f] === true);
      if (formats.length > 1) throw new UsageError('give at most one of --csv, --markdown, --json');
      await (await import('./sweep.js')).sweepCommand(files, { ...o, format: formats[0] ?? 'table' }, io);
    });

  program
    .command('worker')
    .description('measure sweep points from a Redis queue (spinarch sweep --queue) until stopped; start as many as you like, on as many machines, from the same spinarch')
    .requiredOption('--queue <url>', 'the queue: redis://HOST:PORT[/DB]')
    .option('--name <name>', "the queue's name (default: points)")
    .option('--concurrency <n>', 'points at once, each on its own thread (default and most: one per core)', positiveInt('--concurrency'), defaultWorkers())
    .option('--lock-duration <ms>', 'how long a point stays with a worker that stopped answering (killed, cut off) before another takes it', positiveInt('--lock-duration', 3_600_000), 30_000)
    .action(async (o: { queue: string; name?: string; concurrency: number; lockDuration: number }) => {
      await (await import('./sweep.js')).workerCommand(o, io);
    });

  program
    .command('merge')
    .description('join the parts of a sweep run as shards (sweep --shard I/N) into its results file, checking that every point is there exactly once, and draw its plots')
    .argument('<parts...>', 'part files (JSON lines)')
    .requiredOption('--sweep <file>', 'the sweep file the parts come from (its points, order and plots)')
    .option('--out <file>', "results file (default: the sweep's out)")
    .option('--force', 'replace an existing results file or plot that is not of its kind')
    .option('--csv', 'print the results as CSV')
    .option('--markdown', 'print the results as a Markdown table')
    .action(async (parts: string[], o: { sweep: string; out?: string; force?: boolean; csv?: boolean; markdown?: boolean }) => {
      if (o.csv === true && o.markdown === true) throw new UsageError('give at most one of --csv, --markdown');
      await (await import('./sweep.js')).mergeCommand(parts, { sweep: o.sweep, force: o.force === true, ...(o.out === undefined ? {} : { out: o.out }), format: o.csv === true ? 'csv' : o.markdown === true ? 'markdown' : 'table' }, io);
    });

  program
    .command('results')
    .description('read a results file (JSON lines, from sweep) back as a table')
    .argument('<results>', 'results file')
    .option('--csv', 'print CSV')
    .option('--markdown', 'print a Markdown table')
    .option('--json', 'print JSON')
    .action(async (file: string, o: { csv?: boolean; markdown?: boolean; json?: boolean }) => {
      const formats = (['csv', 'markdown', 'json'] as const).filter((f) => o[f] === true);
      if (formats.length > 1) throw new UsageError('give at most one of --csv, --markdown, --json');
      (await import('./sweep.js')).resultsCommand(file, formats[0] ?? 'table', io);
    });

  program
    .command('plot')
    .description('draw one plot from a results file as SVG (vega-lite, no browser): a line per series, error bars from accuracy intervals, units in the axis titles')
    .argument('<results>', 'results file (JSON lines, from sweep)')
    .requiredOption('--x <key>', 'axis or metric along x')
    .requiredOption('--y <key>', 'metric along y (repeatable: each is a series)', collect, [])
    .option('--series <key>', 'axis whose values are the series (one line each)')
    .addOption(new Option('--mark <mark>', 'line chart or scatter plot').choices(['line', 'point']).default('line'))
    .option('--log-x', 'logarithmic x axis')
    .option('--log-y', 'logarithmic y axis')
    .option('--title <text>', 'title')
    .option('--x-title <text>', 'x axis title (default: the key and its unit)')
    .option('--y-title <text>', 'y axis title')
    .requiredOption('--out <file>', 'SVG file to write (SVG only)')
    .option('--force', 'replace an existing --out file that is not an SVG')
    .action(async (file: string, o: { x: string; y: string[]; series?: string; mark: 'line' | 'point'; logX?: boolean; logY?: boolean; title?: string; xTitle?: string; yTitle?: string; out: string; force?: boolean }) => {
      await (await import('./sweep.js')).plotCommand(file, o, io);
    });

  program
    .command('report')
    .description('one self-contained HTML page (opens offline) of scenarios side by side: what was run, accuracy with its interval and confusion, latency, energy, power and area per image with ratios to the first, energy by component and class, power over the first image, timing, the device transfer function; or of a sweep\'s results file (--results)')
    .argument('[scenario...]', 'scenario files (YAML); the first is the baseline')
    .requiredOption('--out <file>', 'HTML file to write')
    .option('--results <file>', "a sweep's results file (JSON lines) instead of scenarios: its plots and points")
    .option('--eval-images <n>', 'MNIST test images for each accuracy, by the functional model (10000 is the whole test set)', positiveInt('--eval-images', 10_000, ' (the MNIST test set)'), 1000)
    .option('--chips <n>', "evaluate N dies of each design (from the scenario's chip key on): their accuracy spread", positiveInt('--chips', 1000), 1)
    .option('--mnist <dir>', 'MNIST IDX files to read (default: the copy bundled in data/mnist)')
    .option('--workers <n>', 'threads for the accuracy, one per core by default; the report does not depend on it', positiveInt('--workers'))
    .option('--force', 'replace an existing --out file that is not an HTML page')
    .option('--set <key=value>', 'override a key in every scenario (repeatable)', collect, [])
    .addHelpText('after', `\nThe page holds the same figures as JSON in <script type="application/json" id="spinarch-data">, for tools.\n\nExamples:\n  spinarch report scenarios/charge-cenn.yaml scenarios/irmen-dual-cenn.yaml scenarios/maap-cnn-4bit.yaml --out report.html\n  spinarch report scenarios/irmen-dual-cenn.yaml --chips 8 --eval-images 2000 --out irmen.html\n  spinarch report --results docs/figures/irmen-fig7.jsonl --out fig7.html`)
    .action(async (files: string[], o: { out: string; results?: string; evalImages: number; chips: number; mnist?: string; workers?: number; force?: boolean; set: string[] }) => {
      await (await import('./report.js')).reportCommand(files, o, argv, io);
    });

  const device = program.command('device').description("a device's own figures, from its physics (IRMEN: the LLG macrospin), or its response as a CSV table (--csv) to run from");
  device
    .command('irmen')
    .description("the IRMEN cell from a macrospin LLG solver with thermal noise: its transfer function, the error against the ideal saturated-linear curve (seed 000 Fig. 2, 4) and its switching delay, per magnet length")
    .argument('<scenario>', 'an irmen-dual-cenn scenario (its magnet, stage delay and params.irmen.dynamics)')
    .option('--fm-length <length>', 'a magnet length, e.g. 17nm (repeatable; default 17, 24, 30, 45 and 60 nm)', collect, [])
    .option('--iterations <n>', 'Monte Carlo iterations per length (seed 000: 12,300)', positiveInt('--iterations', 10_000_000), 12_300)
    .option('--workers <n>', 'threads, one per core by default; the result does not depend on it', positiveInt('--workers'), defaultWorkers())
    .option('--json', 'print one JSON object (transfer function, error histogram, settling times)')
    .option('--plot <file>', 'draw the error against magnet length as SVG (Fig. 4a)')
    .option('--histogram <file>', 'draw the error histograms of the shortest and longest magnets as SVG (Fig. 4b)')
    .option('--csv <file>', "write the cell's settled read as a device table instead (drive u, mean readout, sd; the analytic read model the runs use, at noise scale 1), for params.irmen.transfer: {table: ...}; no Monte Carlo")
    .option('--csv-step <u>', 'drive step of the --csv table (default 0.005, the read model\'s own grid)', positiveNumber('--csv-step'))
    .option('--force', 'replace an existing --plot, --histogram or --csv file that is not of its kind')
    .option('--set <key=value>', 'override a scenario key (repeatable)', collect, [])
    .action(async (file: string, o: { fmLength: string[]; iterations: number; workers: number; json?: boolean; plot?: string; histogram?: string; csv?: string; csvStep?: number; force?: boolean; set: string[] }) => {
      const outputs = [...(o.plot === undefined ? [] : [{ flag: '--plot', file: o.plot, kind: 'svg' as const }]), ...(o.histogram === undefined ? [] : [{ flag: '--histogram', file: o.histogram, kind: 'svg' as const }]), ...(o.csv === undefined ? [] : [{ flag: '--csv', file: o.csv, kind: 'table' as const }])];
      for (const x of outputs) if (x.kind === 'svg' && !/\.svg$/i.test(x.file)) throw new UsageError(`${x.flag} ${x.file}: plots are written as SVG only; name the file .svg`);
      if (o.csv !== undefined && (o.plot !== undefined || o.histogram !== undefined || o.json === true || o.fmLength.length > 0)) throw new UsageError("--csv writes the read model's table of the scenario's own magnet and runs no Monte Carlo: give it without --plot, --histogram, --json or --fm-length (another magnet: --set params.irmen.fm_length='45 nm')");
      (await import('./outputs.js')).checkOutputs(outputs, [file], o.force === true);
      const { force: _force, ...options } = o;
      await (await import('./device.js')).deviceIrmenCommand(file, options, io);
    });

  device
    .command('mtj')
    .description("the serial cell's mean MTJ R(V) in P and AP (seed 002's four-line model) as a device table, for params.cell.mtj: {table: ...}")
    .argument('<scenario>', 'an mtj-mlp scenario (its params.cell.table)')
    .requiredOption('--csv <file>', 'the table to write: V [V], R_P [ohm], R_AP [ohm]')
    .option('--csv-step <volts>', 'bias step in volts (default 0.001)', positiveNumber('--csv-step'))
    .option('--force', 'replace an existing --csv file that is not a device table')
    .option('--set <key=value>', 'override a scenario key (repeatable)', collect, [])
    .action(async (file: string, o: { csv: string; csvStep?: number; force?: boolean; set: string[] }) => {
      (await import('./outputs.js')).checkOutputs([{ flag: '--csv', file: o.csv, kind: 'table' }], [file], o.force === true);
      (await import('./device.js')).deviceMtjCommand(file, o, io);
    });

  device
    .command('sot')
    .description("the SOT-MRAM's nominal R(V) in P and AP (seed 004, Eqs. 1-2) as a device table, for params.device.mtj: {table: ...}")
    .argument('<scenario>', 'a sot-mlp scenario (its params.device)')
    .requiredOption('--csv <file>', 'the table to write: V [V], R_P [ohm], R_AP [ohm]')
    .option('--csv-step <volts>', 'bias step in volts (default 0.005)', positiveNumber('--csv-step'))
    .option('--force', 'replace an existing --csv file that is not a device table')
    .option('--set <key=value>', 'override a scenario key (repeatable)', collect, [])
    .action(async (file: string, o: { csv: string; csvStep?: number; force?: boolean; set: string[] }) => {
      (await import('./outputs.js')).checkOutputs([{ flag: '--csv', file: o.csv, kind: 'table' }], [file], o.force === true);
      (await import('./device.js')).deviceSotCommand(file, o, io);
    });

  device
    .command('maap')
    .description("a MAAP activation pair's output against its input current (the circuit of maap-circuit.ts: the nominal pair, or --devices N drawn pairs) as a device table, for params.maap.pair: {table: ...}")
    .argument('<scenario>', 'a maap-cnn scenario (its params.maap.circuit, and .variation for --devices)')
    .requiredOption('--csv <file>', 'the table to write: I [uA], out [1] (one per pair), sd_I [uA]')
    .option('--devices <n>', 'pairs drawn with params.maap.variation, one out column each (default 1: the nominal pair)', positiveInt('--devices', 4096), 1)
    .option('--csv-step <x>', 'input step about the knee and full scale, as a fraction of the full-scale current (default 0.005)', positiveNumber('--csv-step'))
    .option('--force', 'replace an existing --csv file that is not a device table')
    .option('--set <key=value>', 'override a scenario key (repeatable)', collect, [])
    .action(async (file: string, o: { csv: string; csvStep?: number; devices: number; force?: boolean; set: string[] }) => {
      (await import('./outputs.js')).checkOutputs([{ flag: '--csv', file: o.csv, kind: 'table' }], [file], o.force === true);
      (await import('./device.js')).deviceMaapCommand(file, o, io);
    });

  program
    .command('start')
    .description('the main job: compare every bundled scenario (and the MAAP-CNN provisioned for the charge CeNN\'s parallelism) against the charge-CeNN baseline, with accuracy over MNIST test images')
    .option('--accuracy-images <n>', 'MNIST test images for the accuracy rows', positiveInt('--accuracy-images'), 1000)
    .action(async (o: { accuracyImages: number }) => {
      const [{ compareScenarios }, { mainJobScenarios }] = await Promise.all([import('./compare.js'), import('./paths.js')]);
      await compareScenarios(mainJobScenarios(), { baseline: 'charge-cenn', format: 'table', images: 1, set: [], accuracyImages: o.accuracyImages }, io);
    });

  // Checks every command shares, once its options are parsed and before it runs.
  program.hook('preAction', (_program, command) => {
    const opts = command.opts<Record<string, unknown>>();
    // More threads than cores only cost memory and time (150 threads took 3 GB, 64 made 40 images 29 times slower).
    const cores = defaultWorkers();
    for (const key of ['workers', 'concurrency'] as const) {
      const n = opts[key];
      if (typeof n === 'number' && n > cores && command.getOptionValueSource(key) === 'cli') {
        io.err(`note: --${key} ${n} is more than this machine's ${cores} cores: using ${cores}\n`);
        command.setOptionValue(key, cores);
      }
    }
    if (command.getOptionValueSource('mnistSet') === 'cli' && opts['mnist'] === undefined && command.name() !== 'eval') {
      throw new UsageError('--mnist-set picks the MNIST set: give --mnist too (--mnist alone uses the bundled copy)');
    }
    if (opts['perImage'] === true && opts['json'] !== true) throw new UsageError('--per-image adds every image to the JSON: give --json too');
    if (opts['cases'] !== undefined && opts['evaluate'] !== true) throw new UsageError('--cases picks the cases --evaluate runs: give --evaluate too');
  });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    return reportError(error, io);
  }
}

function readVersion(): string {
  try {
    return spinarchVersion();
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
    for (const line of formatIssues(error.issues)) io.err(`${line}\n`);
    return 2;
  }
  if (error instanceof InterruptedError) {
    io.err(`spinarch: ${error.message}\n`);
    return 130;
  }
  if (error instanceof PointsFailedError) {
    io.err(`spinarch: ${error.message}\n`);
    return 3;
  }
  if (error instanceof UsageError || error instanceof ResultsFileError || error instanceof SweepMergeError || error instanceof QueueUsageError || error instanceof ShardError || error instanceof IdxError || error instanceof WeightsError || error instanceof RunError || error instanceof TimeError || error instanceof TraceFileError) {
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
  // Output piped into `head` and the like: stop quietly when the reader goes away.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  process.exitCode = await runCli(process.argv.slice(2));
}
