// pnpm reproduce: runs the four papers' experiments at their full settings through the real
// `descent` CLI (packages/cli/dist/main.js) into runs/reproduce/, then writes
// docs/reproductions.md and its figures (docs/figures/*.png and .svg).
//
//   pnpm reproduce                                   # build, run everything, write the report
//   node packages/models/scripts/reproduce.mjs --report   # only rewrite the report from runs/reproduce
//   node packages/models/scripts/reproduce.mjs --only relu,gem-exact   # run only these sweeps of PLAN
//                                                          (by key; no report: it needs every sweep)
//
// Time budget: 15 minutes of wall time on the 2-core development machine. Every experiment runs
// at the settings of its .loss file (steps, samples, lr: the "full settings"); the budget is met
// by choosing the number of seeds, listed in PLAN with the CPU seconds each experiment took there
// (score matching dominates: 20,000 steps on a fresh batch of 5,000 samples is ~50 s a seed).
// Sweeps run two at a time (`descent sweep --jobs 2`); single runs go through a 2-wide pool.
// The parts, under reproduce/: settings.mjs (the plan), cli.mjs and run.mjs (running it),
// runs.mjs (reading runs back), format.mjs and figures.mjs, one module per section of the report,
// and report.mjs (the file). Types are JSDoc, checked by `tsc -p packages/models/scripts`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { finish } from './reproduce/report.mjs';
import { runAll } from './reproduce/run.mjs';
import { OUT } from './reproduce/settings.mjs';

const reportOnly = process.argv.includes('--report');
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt < 0 ? undefined : (process.argv[onlyAt + 1] ?? '').split(',').filter((k) => k !== '');
if (only !== undefined) {
  await runAll(only);
} else {
  /** @type {import('./reproduce/report.mjs').Timing} */
  const timing = reportOnly ? JSON.parse(fs.readFileSync(path.join(OUT, 'timing.json'), 'utf8')) : await runAll();
  await finish(timing, reportOnly);
}
