// Runs every model in models.json with try.mjs, one after another, and prints each run's
// status line and claims: node packages/models/scripts/all.mjs [--ci]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { models } = JSON.parse(readFileSync(join(here, '..', 'models.json'), 'utf8'));
const extra = process.argv.slice(2);
let failed = 0;
for (const m of models) {
  const r = spawnSync(process.execPath, [join(here, 'try.mjs'), m.name, ...extra], { encoding: 'utf8' });
  const lines = r.stdout.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`${m.name}: status`));
  console.log(start >= 0 ? lines.slice(start).join('\n').trimEnd() : `${m.name}: ${r.stderr.trim()}`);
  if (r.status !== 0) failed++;
}
console.log(failed === 0 ? `all ${models.length} models pass` : `${failed} of ${models.length} models fail`);
process.exitCode = failed === 0 ? 0 : 1;
