// checkpoint.json: a run's whole state at a step boundary, written atomically, read back with checks.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RandomState } from '@descent/autodiff';
import type { ParamInfo } from '@descent/dsl';
import { CliError } from './errors.js';
import { decodeF64, encodeF64, type OptimizerState } from './optimizers/index.js';
import { readJson, writeJsonAtomic } from './runlog.js';
import type { TrainCheckpoint } from './train.js';
import { nameRecord } from './params-io.js';

export const CHECKPOINT_FILE = 'checkpoint.json';

/** What a checkpoint must agree with to be continued: the model text and the resolved settings. */
export interface CheckpointIdentity {
  readonly sha256: string;
  readonly seed: number;
  readonly steps: number;
  readonly log: number;
  readonly optimizer: { readonly name: string; readonly args: Readonly<Record<string, number>> };
}

/** Where log.jsonl stood at the checkpoint: its byte length and record count, once flushed. */
export interface LogPosition {
  readonly bytes: number;
  readonly records: number;
}

/**
 * The file's contents. Every float64 is stored losslessly: vectors as base64 of little-endian
 * bytes (so -0, NaN and infinities survive), scalars as JSON numbers (exact for finite doubles).
 */
export interface CheckpointJson {
  readonly format: 'descent-checkpoint/1';
  readonly reason: TrainCheckpoint['reason'];
  readonly written: string;
  readonly step: number;
  readonly identity: CheckpointIdentity;
  /** Each parameter by name: its shape and base64 float64 values. */
  readonly params: Readonly<Record<string, { readonly shape: readonly number[]; readonly data: string }>>;
  readonly optimizer: OptimizerState;
  readonly sampling: { readonly state: RandomState; readonly batch: readonly string[] } | null;
  readonly log: LogPosition;
  readonly seconds: number;
  readonly computeSeconds: number;
}

/** Writes the checkpoint into `dir` (temporary file, fsync, rename, fsync of the folder). */
export function writeCheckpoint(dir: string, cp: TrainCheckpoint, info: readonly ParamInfo[], identity: CheckpointIdentity, log: LogPosition): void {
  const params = nameRecord<{ shape: readonly number[]; data: string }>();
  info.forEach((p, i) => (params[p.name] = { shape: p.shape, data: encodeF64(cp.params[i]!) }));
  const json: CheckpointJson = {
    format: 'descent-checkpoint/1',
    reason: cp.reason,
    written: new Date().toISOString(),
    step: cp.step,
    identity,
    params,
    optimizer: cp.optimizer,
    sampling: cp.sampling ? { state: cp.sampling.state, batch: cp.sampling.batch.map((b) => encodeF64(b)) } : null,
    log,
    seconds: cp.seconds,
    computeSeconds: cp.computeSeconds,
  };
  writeJsonAtomic(path.join(dir, CHECKPOINT_FILE), json);
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/** Deep equality of JSON values, numbers by Object.is (so -0 and NaN count). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return sameJson(ka, kb) && ka.every((k) => sameJson(a[k], b[k]));
  }
  return a === b;
}

/** The checkpoint in `dir`, or null when there is none; a damaged or foreign one is a CliError. */
export function readCheckpoint(dir: string, info: readonly ParamInfo[], identity: CheckpointIdentity, command = 'resume'): { checkpoint: TrainCheckpoint; log: LogPosition } | null {
  const file = path.join(dir, CHECKPOINT_FILE);
  if (!fs.existsSync(file)) return null;
  const bad = (what: string): never => {
    throw new CliError(`descent ${command}: ${file} ${what}; it cannot be continued. Start the run again, or restore the file.`);
  };
  let j: unknown;
  try {
    j = readJson(file);
  } catch (e) {
    return bad(`is not readable JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (!isObj(j) || j['format'] !== 'descent-checkpoint/1') return bad('is not a descent checkpoint (format descent-checkpoint/1)');
  const step = j['step'];
  if (!isCount(step) || step > identity.steps) return bad(`has no valid step (got ${String(step)})`);
  if (!sameJson(j['identity'], identity)) {
    return bad('was written by a different run (the model file or its settings differ from run.json)');
  }
  const log = j['log'];
  if (!isObj(log) || !isCount(log['bytes']) || !isCount(log['records'])) return bad('has no valid log position');
  const seconds = j['seconds'];
  const computeSeconds = j['computeSeconds'];
  if (typeof seconds !== 'number' || !(seconds >= 0) || typeof computeSeconds !== 'number' || !(computeSeconds >= 0)) return bad('has no valid elapsed time');
  const ps = j['params'];
  if (!isObj(ps)) return bad('has no parameters');
  const params = info.map((p) => {
    const e = ps[p.name];
    if (!isObj(e) || typeof e['data'] !== 'string' || !sameJson(e['shape'], p.shape)) return bad(`lacks parameter ${p.name} of shape [${p.shape.join(', ')}]`);
    const a = decodeOrBad(e['data'] as string, bad, `parameter ${p.name}`);
    if (a.length !== p.size) return bad(`has ${a.length} values for ${p.name}, want ${p.size}`);
    return a;
  });
  if (!isObj(j['optimizer'])) return bad('has no optimizer state');
  const s = j['sampling'];
  let sampling: TrainCheckpoint['sampling'] = null;
  if (s !== null) {
    if (!isObj(s) || !isObj(s['state']) || !Array.isArray(s['batch']) || !s['batch'].every((b) => typeof b === 'string')) return bad('has a damaged sample state');
    sampling = { state: s['state'] as unknown as RandomState, batch: (s['batch'] as string[]).map((b, i) => decodeOrBad(b, bad, `sample batch ${i}`)) };
  }
  const reason = j['reason'] === 'stop' ? 'stop' : 'periodic';
  return {
    checkpoint: { step, params, optimizer: j['optimizer'] as unknown as OptimizerState, sampling, seconds, computeSeconds, reason },
    log: { bytes: log['bytes'], records: log['records'] },
  };
}

function decodeOrBad(b64: string, bad: (what: string) => never, what: string): Float64Array {
  try {
    return decodeF64(b64);
  } catch {
    return bad(`has damaged data for ${what}`);
  }
}
