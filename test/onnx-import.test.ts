import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { functionalModel, loadScenario, type Scenario } from '../src/arch/scenario.js';
import { findDesign } from '../src/arch/registry.js';
import { networkMacs } from '../src/arch/network.js';
import { loadMnist, bundledMnistDir } from '../src/data/mnist.js';
import { plainModel } from '../src/eval/plain.js';
import fc from 'fast-check';
import { OnnxError } from '../src/import/onnx-error.js';
import { decodeOnnxModel } from '../src/import/onnx-model.js';
import { onnxNetwork } from '../src/import/onnx-network.js';
import { importOnnx } from '../src/import/scenario-network.js';
import { ScenarioError } from '../src/scenario/errors.js';
import { readScenario } from '../src/scenario/load.js';
import { cli, tempFiles } from './helpers.js';

// The fixtures are written by test/fixtures/onnx/make_fixtures.py (python3-onnx); committed, so no Python is needed here.
const FIXTURES = path.resolve('test/fixtures/onnx');
const fixture = (name: string): string => path.join(FIXTURES, `${name}.onnx`);
ort.env.wasm.numThreads = 1;

/** A scenario file in a fresh folder: the design's bundled parameters with overrides, its network the model (copied beside it, named relatively). */
function onnxScenario(design: string, template: string, model: string, params: (p: Record<string, unknown>) => Record<string, unknown> = (p) => p, sets: string[] = []): Scenario {
  const base = readScenario(path.resolve('scenarios', template)).data;
  const dir = tempFiles({});
  copyFileSync(fixture(model), path.join(dir, `${model}.onnx`));
  const file = path.join(dir, 'scenario.yaml');
  writeFileSync(file, stringify({ design, seed: 7, network: { onnx: `${model}.onnx` }, params: params(base['params'] as Record<string, unknown>) }));
  return loadScenario(file, sets);
}

/** The reference runtime's outputs for each image (float32, batch of one). */
async function reference(model: string, images: readonly Float64Array[], dims: readonly number[]): Promise<Float32Array[]> {
  const session = await ort.InferenceSession.create(readFileSync(fixture(model)));
  const out: Float32Array[] = [];
  for (const x of images) {
    const result = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', Float32Array.from(x), [1, ...dims]) });
    out.push(result[session.outputNames[0]!]!.data as Float32Array);
  }
  return out;
}

const softmax = (y: Float64Array): Float64Array => {
  const m = Math.max(...y);
  const e = y.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

/** The first MNIST test images, pixels in [0, 1]; cropped to the central `side` x `side` when asked. */
function mnistImages(count: number, side = 28): Float64Array[] {
  const set = loadMnist(bundledMnistDir(), 'test');
  const off = (28 - side) / 2;
  return Array.from({ length: count }, (_, k) => {
    const x = new Float64Array(side * side);
    for (let r = 0; r < side; r++) for (let c = 0; c < side; c++) x[r * side + c] = set.images[k * 784 + (r + off) * 28 + c + off]! / 255;
    return x;
  });
}

function expectClose(ours: readonly Float64Array[], theirs: readonly Float32Array[], tolerance: number): void {
  let spread = 0;
  ours.forEach((y, k) => {
    expect(y.length).toBe(theirs[k]!.length);
    y.forEach((v, i) => expect(Math.abs(v - theirs[k]![i]!)).toBeLessThan(tolerance));
    spread = Math.max(spread, Math.max(...theirs[k]!) - Math.min(...theirs[k]!));
  });
  // The outputs are far from uniform: a wrong weight layout or a dropped bias would show.
  expect(spread).toBeGreaterThan(50 * tolerance);
}

describe('ONNX import checked against a reference runtime (onnxruntime-web)', () => {
  it('a small CNN (Conv, BatchNormalization folded, Relu, MaxPool, Identity, Reshape, Dropout, Gemm, Softmax) on maap-cnn: plain arithmetic = onnxruntime within float tolerance', async () => {
    // 32-bit templates, codes and head words: the design's quantizers are far below float32's resolution.
    const scenario = onnxScenario('maap-cnn', 'maap-cnn-32bit.yaml', 'small_cnn', (p) => ({ ...p, classifier: { ...(p['classifier'] as object), weight_bits: 32 } }));
    expect(scenario.value.network.layers.map((l) => l.type)).toEqual(['conv', 'relu', 'maxpool', 'conv', 'relu', 'maxpool', 'dense']);
    const images = mnistImages(6);
    const plain = plainModel(scenario);
    const ours = images.map((x) => softmax(plain.infer(x, { id: 0, label: 0, digit: 0 } as never)));
    expectClose(ours, await reference('small_cnn', images, [1, 28, 28]), 2e-6);
    // The hardware runs it too (same layers, the MAAP sets' devices): a class for every image.
    const hw = functionalModel(scenario);
    for (const x of images) expect(hw.infer(x, { id: 0, label: 0, digit: 0 } as never).every(Number.isFinite)).toBe(true);
  }, 20_000);

  it('a small MLP (MatMul + Add, Tanh, Gemm with alpha, beta and transB, Softmax) on mtj-mlp: plain arithmetic = onnxruntime within float tolerance', async () => {
    const scenario = onnxScenario('mtj-mlp', 'mtj-mlp.yaml', 'small_mlp', (p) => p, ['params.monte_carlo_cells=0']);
    expect(scenario.value.network).toEqual({ input: [100], layers: [{ type: 'dense', outputs: 16, activation: 'tanh' }, { type: 'dense', outputs: 10, activation: 'softmax' }] });
    const images = mnistImages(6, 10);
    const plain = plainModel(scenario);
    const ours = images.map((x) => softmax(plain.infer(x, { id: 0, label: 0, digit: 0 } as never)));
    expectClose(ours, await reference('small_mlp', images, [100]), 2e-6);
  }, 20_000);

  it('a binary sigmoid MLP on sot-mlp, whose neurons compute sigmoid(-(W x + b)): negated on import, plain arithmetic = onnxruntime', async () => {
    const scenario = onnxScenario('sot-mlp', 'sot-mlp.yaml', 'binary_mlp');
    expect(scenario.onnx?.negated).toBe(true);
    const images = mnistImages(6, 10);
    const plain = plainModel(scenario);
    const ours = images.map((x) => softmax(plain.infer(x, { id: 0, label: 0, digit: 0 } as never)));
    expectClose(ours, await reference('binary_mlp', images, [100]), 2e-6);
  }, 20_000);

  it('the bundled wide MLP (examples/wide-mlp.onnx, int8 +-1 weights): 17x the bundled CNN\'s multiply-accumulates, plain arithmetic = onnxruntime', async () => {
    const scenario = loadScenario('examples/wide-mlp-sot.yaml');
    // Counted by hand: 784 x 1024 + 1024 x 1024 + 1024 x 10; the CeNN / MAAP network 26^2 x 4 x 9 + 22^2 x 4 x 36 + 1600 x 10.
    expect(networkMacs(scenario.layers)).toBe(784 * 1024 + 1024 * 1024 + 1024 * 10);
    expect(networkMacs(loadScenario('scenarios/charge-cenn.yaml').layers)).toBe(26 * 26 * 4 * 9 + 22 * 22 * 4 * 36 + 20 * 20 * 4 * 10);
    expect(networkMacs(loadScenario('scenarios/maap-cnn-4bit.yaml').layers)).toBe(110_032);
    const images = mnistImages(8);
    const plain = plainModel(scenario);
    const session = await ort.InferenceSession.create(readFileSync('examples/wide-mlp.onnx'));
    for (const x of images) {
      const result = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', Float32Array.from(x), [1, 1, 28, 28]) });
      const theirs = result[session.outputNames[0]!]!.data as Float32Array;
      const ours = softmax(plain.infer(x, { id: 0, label: 0, digit: 0 } as never));
      // The logits span tens, so the probabilities are nearly one-hot: compare their logarithms
      // (the logits less their log-sum-exp) wherever float32 still holds them.
      let compared = 0;
      ours.forEach((v, i) => {
        if (theirs[i]! < 1e-30) return;
        compared++;
        expect(Math.abs(Math.log(v) - Math.log(theirs[i]!))).toBeLessThan(1e-3);
      });
      expect(compared).toBeGreaterThanOrEqual(3);
    }
  }, 30_000);

  it('int8 weights through DequantizeLinear: read as (q - zero) x scale, 8 bits, and = onnxruntime', async () => {
    const source = importOnnx(fixture('qdq_mlp'), findDesign('mtj-mlp')!);
    expect(source.imported.weightBits).toBe(8);
    const w = source.weights[0]!;
    // Every weight a multiple of the scale (0.003), at most 127 of them.
    for (const v of w.weights) {
      const q = v / 0.003;
      expect(Math.abs(q - Math.round(q))).toBeLessThan(1e-4);
      expect(Math.abs(q)).toBeLessThanOrEqual(127.0001);
    }
    const scenario = onnxScenario('mtj-mlp', 'mtj-mlp.yaml', 'qdq_mlp', (p) => p, ['params.monte_carlo_cells=0']);
    const images = mnistImages(4, 10);
    const plain = plainModel(scenario);
    expectClose(images.map((x) => plain.infer(x, { id: 0, label: 0, digit: 0 } as never)), await reference('qdq_mlp', images, [100]), 1e-5);
  }, 20_000);
});

describe('ONNX refusals: at the node, with the design\'s reason', () => {
  const refusal = (model: string, design: string): string => {
    try {
      importOnnx(fixture(model), findDesign(design)!);
    } catch (error) {
      if (error instanceof OnnxError) return error.message;
      throw error;
    }
    throw new Error('imported');
  };
  const scenarioRefusal = (fn: () => unknown): string => {
    try {
      fn();
    } catch (error) {
      if (error instanceof ScenarioError) return error.issues.map((i) => `${i.path}: ${i.message}`).join('\n');
      throw error;
    }
    throw new Error('accepted');
  };

  it('an op spinarch does not import', () => {
    const m = refusal('unsupported_op', 'maap-cnn');
    expect(m).toContain("node 'leaky1' (op LeakyRelu)");
    expect(m).toContain('not an op spinarch imports');
    expect(m).toContain('maap-cnn maps conv -> ReLU');
  });

  it('a grouped convolution on the MAAP-CNN', () => {
    expect(refusal('group_conv', 'maap-cnn')).toMatch(/node 'conv3' \(op Conv, kernel 3x3, group=8\): a grouped .* maps group = 1 only/);
  });

  it('a 5x5 kernel on a CeNN design (its cells reach their 3x3 neighbourhood), refused by the design at the node', async () => {
    const dir = tempFiles({});
    const r = await cli('import', fixture('conv5x5'), '--design', 'irmen-dual-cenn', '--out', path.join(dir, 'c.yaml'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/node 'conv5x5' \(op Conv, kernel 5x5.*\): a CeNN cell is wired to its 3x3 neighbourhood/);
    expect(r.err).not.toMatch(/at .*\.ts:\d+/);
    // The same model on the MAAP-CNN maps (any kernel its sets sum).
    const ok = await cli('import', fixture('conv5x5'), '--design', 'maap-cnn', '--out', path.join(dir, 'm.yaml'));
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
  });

  it('a tanh network on the SOT-MRAM perceptron, whose neurons are sigmoids', () => {
    const m = scenarioRefusal(() => functionalModel(onnxScenario('sot-mlp', 'sot-mlp.yaml', 'small_mlp')));
    expect(m).toContain('network.onnx');
    expect(m).toMatch(/node 'dense1' \(op MatMul.*\): an SOT-MRAM perceptron maps dense layers with their neurons' activation: its hidden layers' neurons compute sigmoid, not tanh/);
  });

  it('a network too big for the design\'s SRAM: the numbers', () => {
    const m = scenarioRefusal(() => functionalModel(onnxScenario('maap-cnn', 'maap-cnn-8bit.yaml', 'small_cnn', (p) => ({ ...p, sram: { ...(p['sram'] as object), words: 1000 } }))));
    // Templates 36 + 64, image 784, outputs 4x13x13 + 4x6x6 = 676 + 144: 1,704 words.
    expect(m).toContain('the network needs 1704 words (templates, image, outputs), the SRAM has 1000');
  });

  it('missing, truncated and non-ONNX files: exit 2, the file named, no stack trace', async () => {
    const bytes = readFileSync(fixture('small_cnn'));
    const dir = tempFiles({ 'notes.onnx': 'design: maap-cnn\nthis is YAML, not a model\n' });
    writeFileSync(path.join(dir, 'cut.onnx'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    const cases: [string, RegExp][] = [
      [path.join(dir, 'missing.onnx'), /missing\.onnx: cannot read the ONNX model: no such file/],
      [path.join(dir, 'cut.onnx'), /cut\.onnx: the protobuf is truncated/],
      [path.join(dir, 'notes.onnx'), /notes\.onnx: not an ONNX model/],
    ];
    for (const [file, message] of cases) {
      const r = await cli('import', file, '--design', 'maap-cnn', '--out', path.join(dir, 'x.yaml'));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).not.toContain('internal error');
    }
    // In a scenario: at its network.onnx key, file and line.
    writeFileSync(path.join(dir, 's.yaml'), 'design: maap-cnn\nseed: 1\nnetwork:\n  onnx: cut.onnx\nparams: {}\n');
    const r = await cli('validate', path.join(dir, 's.yaml'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/s\.yaml:4:\d+.*network\.onnx.*cut\.onnx: the protobuf is truncated/);
  });
});

describe('hostile ONNX bytes', () => {
  it('every truncation of a model, and random bit flips, give an OnnxError or a network, never another error', () => {
    const bytes = readFileSync(fixture('small_cnn'));
    const design = findDesign('maap-cnn')!;
    const outcome = (b: Uint8Array): string => {
      try {
        onnxNetwork(decodeOnnxModel('m.onnx', b), { design: design.name, designMaps: design.imports.maps });
        return 'network';
      } catch (error) {
        if (error instanceof OnnxError) return 'refused';
        throw error;
      }
    };
    let refused = 0;
    for (let n = 0; n < bytes.length; n++) if (outcome(bytes.subarray(0, n)) === 'refused') refused++;
    // Cut anywhere, the graph loses its output, its nodes or its weights: nearly every cut is refused.
    expect(refused).toBeGreaterThan(bytes.length * 0.9);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (flips) => {
        const b = Uint8Array.from(bytes);
        for (const [at, v] of flips) b[at] = v;
        expect(['network', 'refused']).toContain(outcome(b));
      }),
      { numRuns: 300, seed: 22 },
    );
  });
});

describe('network: { onnx } in a scenario', () => {
  it('extends a bundled scenario (whose network gives way to the model), weights: onnx; weights: onnx needs a model; layers beside onnx are refused', async () => {
    const dir = tempFiles({
      'a.yaml': `extends: ${path.resolve('scenarios/maap-cnn-8bit.yaml')}\nnetwork: { onnx: ${fixture('small_cnn')} }\nweights: onnx\n`,
      'b.yaml': `extends: ${path.resolve('scenarios/maap-cnn-8bit.yaml')}\nweights: onnx\n`,
      'c.yaml': `extends: ${path.resolve('scenarios/maap-cnn-8bit.yaml')}\nnetwork: { onnx: ${fixture('small_cnn')}, layers: [] }\n`,
    });
    const a = loadScenario(path.join(dir, 'a.yaml'));
    expect(a.value.network.layers).toHaveLength(7);
    expect(a.layers[6]!.input).toEqual({ h: 6, w: 6, c: 4 });
    const b = await cli('validate', path.join(dir, 'b.yaml'));
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/b\.yaml:2:\d+.*weights: onnx takes the weights of the network's ONNX model/);
    const c = await cli('validate', path.join(dir, 'c.yaml'));
    expect(c.code).toBe(2);
    expect(c.err).toContain('remove network.layers');
  });
});

describe('spinarch import', () => {
  it('writes an editable scenario and a weights file (the model\'s SHA-256 and opset in the provenance) that evaluate as the model does', async () => {
    const dir = tempFiles({});
    const out = path.join(dir, 'cnn.yaml');
    const r = await cli('import', fixture('small_cnn'), '--design', 'maap-cnn', '--out', out, '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const weights = JSON.parse(readFileSync(path.join(dir, 'cnn.weights.json'), 'utf8')) as { provenance: Record<string, unknown>; layers: { layer: number; shape: number[] }[] };
    const { createHash } = await import('node:crypto');
    expect(weights.provenance['onnx_sha256']).toBe(createHash('sha256').update(readFileSync(fixture('small_cnn'))).digest('hex'));
    expect(weights.provenance['opset']).toBe(17);
    expect(weights.layers.map((l) => [l.layer, l.shape])).toEqual([[0, [4, 1, 3, 3]], [3, [4, 4, 2, 2]], [6, [10, 144]]]);
    expect(readFileSync(out, 'utf8')).toContain('- { type: conv, kernel: 3, templates: 4, stride: 1 }');
    // The written scenario (layers + weights file) and the model named in a scenario give the same functional outputs.
    const written = functionalModel(loadScenario(out));
    const direct = functionalModel(onnxScenario('maap-cnn', 'maap-cnn-8bit.yaml', 'small_cnn', (p) => p, ['seed=2020']));
    const [x] = mnistImages(1);
    expect(Array.from(written.infer(x!, { id: 0, label: 7, digit: 7 } as never))).toEqual(Array.from(direct.infer(x!, { id: 0, label: 7, digit: 7 } as never)));
    // Never over its input.
    const again = await cli('import', fixture('small_cnn'), '--design', 'maap-cnn', '--out', out, '--weights', fixture('small_cnn'));
    expect(again.code).toBe(2);
    expect(again.err).toContain('is also an input');
  }, 20_000);
});
