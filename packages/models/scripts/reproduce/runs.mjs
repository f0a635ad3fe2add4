// Reading finished runs back: log records, sweeps, series of a metric, fitted slopes, claims, outcomes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fitRate, fitSlope } from '@descent/cli';
import { OUT } from './settings.mjs';

/**
 * A value read from a file the CLI wrote (run.json, a log record's metrics, sweep.json): its
 * shape is the CLI's run format (docs/runs.md), read field by field where it is used.
 * @typedef {any} Json
 */

/** @typedef {{ step: number, loss: number, metrics: Record<string, Json> }} LogRecord */

/**
 * A finished run: its folder, its log records and its run.json.
 * @typedef {{ dir: string, records: LogRecord[], run: Json, seed: number }} Run
 */

/**
 * A run of a sweep, with its id, its group and the settings of its group.
 * @typedef {Run & { id: string, group: string, settings: Record<string, number> }} SweepRun
 */

/** A logged number: JSON has no NaN or Infinity, so the log writes them as strings. @param {Json} v */
export const num = (v) => (typeof v === 'number' ? v : Number(v));

/**
 * The records of a run's log.jsonl.
 * @param {string} dir
 * @returns {LogRecord[]}
 */
export function readLog(dir) {
  return fs
    .readFileSync(path.join(dir, 'log.jsonl'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l))
    .map((r) => ({ step: r.step, loss: num(r.loss), metrics: r.metrics }));
}

/**
 * @template {{ seed: number }} E
 * @param {string} dir
 * @param {E} extra fields to add (the seed, and a sweep's id, group and settings)
 * @returns {Run & E}
 */
export function loadRun(dir, extra) {
  return { dir, records: readLog(dir), run: JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')), ...extra };
}

/**
 * The runs of a sweep, in plan order.
 * @param {string} key its key in PLAN (the folder under runs/reproduce)
 * @returns {SweepRun[]}
 */
export function loadSweep(key) {
  const dir = path.join(OUT, key);
  const plan = JSON.parse(fs.readFileSync(path.join(dir, 'sweep.json'), 'utf8'));
  return plan.runs.map((/** @type {Json} */ r) => loadRun(path.join(dir, r.dir), { id: r.id, group: r.group, seed: r.seed, settings: Object.fromEntries(r.settings.map((/** @type {Json} */ s) => [s.name, s.value])) }));
}

/**
 * Values of `loss`, a metric or a metric component `name[i]`, one per record.
 * @param {readonly LogRecord[]} records
 * @param {string} name
 * @returns {number[]}
 */
export function values(records, name) {
  const m = /^(\w+)(?:\[(\d+)\])?$/.exec(name);
  if (m === null || m[1] === undefined) throw new Error(`not a series name: ${name}`);
  const metric = m[1];
  return records.map((r) => {
    if (metric === 'loss') return r.loss;
    const v = r.metrics[metric];
    return m[2] === undefined ? num(v) : num(v[Number(m[2])]);
  });
}
/** @param {readonly LogRecord[]} records */
export const steps = (records) => records.map((r) => r.step);
/** The last value of a series (NaN for none). @param {readonly LogRecord[]} records @param {string} name */
export const last = (records, name) => values(records, name).at(-1) ?? NaN;

/**
 * The log-log slope of a series over [a, b] (NaN if it cannot be fitted).
 * @param {readonly LogRecord[]} records
 * @param {string} name
 * @param {number} a
 * @param {number} b
 */
export function slope(records, name, a, b) {
  const f = fitSlope(steps(records), values(records, name), a, b);
  return f.ok ? f.fit.slope : NaN;
}
/**
 * The fit of a series over [a, b]: a power law (`slope`) or an exponential (`rate`); null if it cannot be fitted.
 * @param {readonly LogRecord[]} records
 * @param {string} name
 * @param {number} a
 * @param {number} b
 * @param {'slope' | 'rate'} [kind]
 */
export function fitOf(records, name, a, b, kind = 'slope') {
  const f = (kind === 'slope' ? fitSlope : fitRate)(steps(records), values(records, name), a, b);
  return f.ok ? f.fit : null;
}

/** The claims of a run as the CLI checked them: "k/n pass". @param {Run} r */
export function claimsPassed(r) {
  const s = r.run.summary;
  return `${s.claimsPassed}/${s.claims.length}`;
}

/**
 * How a matrix-factorization run ended: converged (fit < 1e-9), stalled at fit 1/2, or between.
 * @template {Run} R
 * @param {R} r
 */
export function mfOutcome(r) {
  const fit = last(r.records, 'fit');
  const det0 = last(r.records, 'det0');
  const outcome = fit < 1e-9 ? 'converged' : Math.abs(fit - 0.5) < 1e-3 ? 'stalled' : 'between';
  return { seed: r.seed, fit, det0, outcome, loss: r.records.at(-1)?.loss ?? NaN, detW: last(r.records, 'detW'), r };
}
