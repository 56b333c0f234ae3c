import { z } from 'zod';
import { designs } from './registry.js';
import { networkSchema, onnxNetworkSchema } from '../scenario/network-schema.js';

/**
 * The JSON Schema of scenario files (every design's keys), for editors: with
 * `# yaml-language-server: $schema=../schema/scenario.schema.json` at the top of a scenario,
 * VS Code and other YAML editors complete keys and flag mistakes as you type. A file that
 * `extends` another holds only overrides, so it is checked only for being a mapping.
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  // A network is written out as layers, or named as an ONNX model (`network: { onnx: model.onnx }`, read at load).
  const network = z.union([networkSchema, onnxNetworkSchema]);
  const [first, ...rest] = designs.map((d) => (d.schema instanceof z.ZodObject ? d.schema.extend({ network }) : d.schema));
  if (first === undefined) throw new Error('no designs registered');
  const union = rest.length === 0 ? first : z.union([first, ...rest]);
  const full = z.toJSONSchema(union, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  const { $schema, ...scenario } = full;
  return {
    $schema,
    $id: 'https://spinarch.dev/schema/scenario.schema.json',
    title: 'spinarch scenario',
    description: 'A spinarch scenario: a design, its network, its parameters (physical values as strings with units, such as "1.5 ns") and a seed.',
    anyOf: [
      {
        type: 'object',
        required: ['extends'],
        properties: { extends: { type: 'string', description: 'A base scenario file (relative to this one) whose keys this file overrides.' } },
      },
      scenario,
    ],
  };
}
