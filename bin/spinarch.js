#!/usr/bin/env node
// The spinarch command. The TypeScript sources are compiled to dist/ by `npm ci` (the
// `prepare` script) or `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('spinarch: not built yet; run `npm run build` (npm ci does it for you)\n');
  process.exit(2);
}
const { main } = await import(entry.href);
await main();
