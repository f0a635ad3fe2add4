// Reading finished runs back: log records, sweeps, series of a metric, fitted slopes, claims, outcomes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fitRate, fitSlope } from '../../../cli/dist/fit.js';
import { OUT } from './settings.mjs';

export const num = (v) => (typeof v === 'number' ? v : Number(v));

export function readLog(dir) {
  return fs
    .readFileSync(path.join(dir, 'log.jsonl'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l))
    .map((r) => ({ step: r.step, loss: num(r.loss), metrics: r.metrics }));
}

export function loadRun(dir, extra = {}) {
  return { dir, records: readLog(dir), run: JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')), ...extra };
}

/** The runs of a sweep, in plan order: { id, group, seed, settings, records, run }. */
export function loadSweep(key) {
  const dir = path.join(OUT, key);
  const plan = JSON.parse(fs.readFileSync(path.join(dir, 'sweep.json'), 'utf8'));
  return plan.runs.map((r) => loadRun(path.join(dir, r.dir), { id: r.id, group: r.group, seed: r.seed, settings: Object.fromEntries(r.settings.map((s) => [s.name, s.value])) }));
}

/** Values of `loss`, a metric or a metric component `name[i]`, one per record. */
export function values(records, name) {
  const m = /^(\w+)(?:\[(\d+)\])?$/.exec(name);
  return records.map((r) => {
    if (m[1] === 'loss') return r.loss;
    const v = r.metrics[m[1]];
    return m[2] === undefined ? num(v) : num(v[Number(m[2])]);
  });
}
export const steps = (records) => records.map((r) => r.step);
export const last = (records, name) => values(records, name).at(-1);

/** The log-log slope of a series over [a, b] (NaN if it cannot be fitted). */
export function slope(records, name, a, b) {
  const f = fitSlope(steps(records), values(records, name), a, b);
  return f.ok ? f.fit.slope : NaN;
}
export function fitOf(records, name, a, b, kind = 'slope') {
  const f = (kind === 'slope' ? fitSlope : fitRate)(steps(records), values(records, name), a, b);
  return f.ok ? f.fit : null;
}

/** The claims of a run as the CLI checked them: "k/n pass". */
export function claimsPassed(r) {
  const s = r.run.summary;
  return `${s.claimsPassed}/${s.claims.length}`;
}


export function mfOutcome(r) {
  const fit = last(r.records, 'fit');
  const det0 = last(r.records, 'det0');
  const outcome = fit < 1e-9 ? 'converged' : Math.abs(fit - 0.5) < 1e-3 ? 'stalled' : 'between';
  return { seed: r.seed, fit, det0, outcome, loss: r.records.at(-1).loss, detW: last(r.records, 'detW'), r };
}
