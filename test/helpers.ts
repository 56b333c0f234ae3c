import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CliIo } from '../src/cli/io.js';
import { runCli } from '../src/cli/main.js';

/** A fresh temporary folder with the given files; returns its path. */
export function tempFiles(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'spinarch-test-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

/** Runs the CLI in-process and captures what it writes. */
export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => (out += t), err: (t) => (err += t), errIsTty: false, columns: 100 };
  const code = await runCli(argv, io);
  return { code, out, err };
}

/** The reference network of seeds 000 and 003, as scenario YAML. */
export const REFERENCE_NETWORK = `network:
  input: [28, 28, 1]
  layers:
    - { type: conv, kernel: 3, templates: 4 }
    - { type: relu }
    - { type: maxpool, size: 3, stride: 1 }
    - { type: conv, kernel: 3, templates: 4 }
    - { type: relu }
    - { type: maxpool, size: 3, stride: 1 }
    - { type: dense, outputs: 10 }
`;
