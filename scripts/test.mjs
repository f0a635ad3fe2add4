#!/usr/bin/env node
// The last step of `pnpm test`: vitest over test/ (extra arguments are vitest's file filters),
// then the count line of scripts/ci-count.mjs, which also counts files that failed to load.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const vitest = spawnSync('vitest', ['run', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
if (vitest.error) console.error(`pnpm test: cannot start vitest: ${vitest.error.message}`);
const failed = vitest.status !== 0 ? ['--failed', '.vitest-report.json'] : [];
const count = spawnSync(process.execPath, ['scripts/ci-count.mjs', '--only', '--expect', '.vitest-report.json', ...failed], { cwd: root, stdio: 'inherit' });
process.exitCode = vitest.status === 0 && count.status === 0 ? 0 : 1;
