// checkpoint.json: a run's whole state at a step boundary, written atomically, read back with checks.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BULK_GENERATOR, type BulkRandomState } from '@descent/autodiff';
import type { ParamInfo } from '@descent/dsl';
import { ReadRefused } from './bounded-read.js';
import { CliError } from './errors.js';
import { brokenFields, canonicalJson, fieldList, isSeal, seal, type Seal } from './integrity.js';
import { createOptimizer, decodeF64, encodeF64, type OptimizerSpec, type OptimizerState } from '@descent/autodiff/optim';
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
  /** The checksum of run.json's identity (model, config, settings): binds the checkpoint to its run. */
  readonly run: string;
}

/** Where log.jsonl stood at the checkpoint: its byte length, record count and the sha256 of those bytes, once flushed. */
export interface LogPosition {
  readonly bytes: number;
  readonly records: number;
  readonly sha256: string;
}

export const CHECKPOINT_FORMAT = 'descent-checkpoint/2';

/**
 * The file's contents. Every float64 is stored losslessly: vectors as base64 of little-endian
 * bytes (so -0, NaN and infinities survive), scalars as JSON numbers (exact for finite doubles).
 * `seal` holds checksums over everything else, per field.
 */
export interface CheckpointJson {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly reason: TrainCheckpoint['reason'];
  readonly written: string;
  readonly step: number;
  readonly identity: CheckpointIdentity;
  /** Each parameter by name: its shape and base64 float64 values. */
  readonly params: Readonly<Record<string, { readonly shape: readonly number[]; readonly data: string }>>;
  readonly optimizer: OptimizerState;
  readonly sampling: { readonly state: BulkRandomState; readonly batch: readonly string[] } | null;
  readonly log: LogPosition;
  readonly seconds: number;
  readonly computeSeconds: number;
  readonly seal: Seal;
}

/** Writes the checkpoint into `dir` (temporary file, fsync, rename, fsync of the folder). */
export function writeCheckpoint(dir: string, cp: TrainCheckpoint, info: readonly ParamInfo[], identity: CheckpointIdentity, log: LogPosition): void {
  const params = nameRecord<{ shape: readonly number[]; data: string }>();
  info.forEach((p, i) => (params[p.name] = { shape: p.shape, data: encodeF64(cp.params[i]!) }));
  const body: Omit<CheckpointJson, 'seal'> = {
    format: CHECKPOINT_FORMAT,
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
  writeJsonAtomic(path.join(dir, CHECKPOINT_FILE), { ...body, seal: seal(body) });
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
const isInt32 = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= -(2 ** 31) && x < 2 ** 31;

/** Keys of `o` other than `allowed`, for the strict schema. */
const extraKeys = (o: Record<string, unknown>, allowed: readonly string[]): string[] => Object.keys(o).filter((k) => !allowed.includes(k));

/** What the resumed program must agree with beyond the identity. */
export interface CheckpointShape {
  readonly info: readonly ParamInfo[];
  readonly identity: CheckpointIdentity;
  /** The optimizer the run uses: the saved state must restore into it. */
  readonly optimizer: OptimizerSpec;
  /** Lengths of the fresh-sampling batch buffers, or null without fresh sampling. */
  readonly batch: readonly number[] | null;
}

/**
 * The checkpoint in `dir`, or null when there is none. Anything else that is not exactly a
 * checkpoint of this run is a CliError (exit 2) naming the field: checksums first (any changed
 * byte), then the schema (every field, its type and size), then the identity.
 */
export function readCheckpoint(dir: string, shape: CheckpointShape, command = 'resume'): { checkpoint: TrainCheckpoint; log: LogPosition } | null {
  const { info, identity } = shape;
  const file = path.join(dir, CHECKPOINT_FILE);
  if (!fs.existsSync(file)) return null;
  const bad = (what: string): never => {
    throw new CliError(`descent ${command}: ${file} ${what}; it cannot be continued. Start the run again, or restore the file.`);
  };
  const field = (name: string, what: string): never => bad(`field ${name} ${what}`);
  let j: unknown;
  try {
    j = readJson(file);
  } catch (e) {
    return bad(e instanceof ReadRefused ? `cannot be read (${e.reason})` : `is not readable JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (!isObj(j)) return bad('is not a descent checkpoint (not a JSON object)');
  if (j['format'] === 'descent-checkpoint/1') return bad('was written by an older descent, without checksums');
  if (j['format'] !== CHECKPOINT_FORMAT) return field('format', `is not "${CHECKPOINT_FORMAT}" (got ${JSON.stringify(j['format'])?.slice(0, 40)})`);
  const { seal: sealed, ...body } = j;
  if (!isSeal(sealed)) return field('seal', 'is missing or damaged (the checksums of the checkpoint)');
  const broken = brokenFields(body, sealed);
  if (broken.length > 0) return bad(`fails its checksum: ${fieldList(broken)} changed since it was written (the file was edited or damaged)`);
  const extra = extraKeys(body, ['format', 'reason', 'written', 'step', 'identity', 'params', 'optimizer', 'sampling', 'log', 'seconds', 'computeSeconds']);
  if (extra.length > 0) return bad(`has unexpected ${fieldList(extra)}`);
  if (j['reason'] !== 'stop' && j['reason'] !== 'periodic') return field('reason', 'is not "stop" or "periodic"');
  const step = j['step'];
  if (!isCount(step) || step > identity.steps) return field('step', `is not a step of this run (got ${String(step)}, the run has ${identity.steps})`);
  const id = j['identity'];
  if (!isObj(id)) return field('identity', 'is missing');
  for (const k of new Set([...Object.keys(identity), ...Object.keys(id)])) {
    if (!sameJson(id[k], (identity as unknown as Record<string, unknown>)[k])) {
      return field(`identity.${k}`, 'differs from the run\'s (the checkpoint was written by a different run, or the model file or run.json changed)');
    }
  }
  const log = j['log'];
  if (!isObj(log) || !isCount(log['bytes']) || !isCount(log['records']) || typeof log['sha256'] !== 'string' || !/^[0-9a-f]{64}$/.test(log['sha256']) || extraKeys(log, ['bytes', 'records', 'sha256']).length > 0) {
    return field('log', 'is not a log position ({bytes, records, sha256})');
  }
  if (log['records'] > step + 2 || log['bytes'] < log['records']) return field('log', `holds ${log['records']} records in ${log['bytes']} bytes, impossible at step ${step}`);
  const seconds = j['seconds'];
  const computeSeconds = j['computeSeconds'];
  if (typeof seconds !== 'number' || !(seconds >= 0) || !Number.isFinite(seconds)) return field('seconds', 'is not a time');
  if (typeof computeSeconds !== 'number' || !(computeSeconds >= 0) || !Number.isFinite(computeSeconds)) return field('computeSeconds', 'is not a time');
  const ps = j['params'];
  if (!isObj(ps)) return field('params', 'is missing');
  const unknownParams = Object.keys(ps).filter((k) => !info.some((p) => p.name === k));
  if (unknownParams.length > 0) return field(`params.${unknownParams[0]!}`, 'is not a parameter of the model');
  const params = info.map((p) => {
    const e = ps[p.name];
    if (!isObj(e) || typeof e['data'] !== 'string' || extraKeys(e, ['shape', 'data']).length > 0) return field(`params.${p.name}`, 'is missing or not {shape, data}');
    if (!sameJson(e['shape'], p.shape)) return field(`params.${p.name}.shape`, `is not [${p.shape.join(', ')}]`);
    return decodeExact(e['data'] as string, p.size, `params.${p.name}.data`, field);
  });
  const opt = j['optimizer'];
  if (!isObj(opt)) return field('optimizer', 'is missing');
  try {
    // the state must restore into the run's optimizer (its kind, arguments, sizes and buffers)
    createOptimizer(shape.optimizer, info.filter((p) => !p.updated).map((p) => p.size)).restore(opt as unknown as OptimizerState);
  } catch (e) {
    return field('optimizer', `cannot be restored (${(e as Error).message})`);
  }
  const taken = (opt['scalars'] as Record<string, unknown>)['steps'];
  if (taken !== step) return field('optimizer.scalars.steps', `is ${String(taken)}, but the checkpoint is at step ${step}`);
  const s = j['sampling'];
  let sampling: TrainCheckpoint['sampling'] = null;
  if ((s === null) !== (shape.batch === null)) return field('sampling', shape.batch === null ? 'holds a sample state, but the run draws no fresh samples' : 'is missing (the run draws fresh samples)');
  if (s !== null) {
    if (!isObj(s) || extraKeys(s, ['state', 'batch']).length > 0) return field('sampling', 'is not {state, batch}');
    sampling = { state: randomState(s['state'], field), batch: batchOf(s['batch'], shape.batch!, field) };
  }
  return {
    checkpoint: { step, params, optimizer: opt as unknown as OptimizerState, sampling, seconds, computeSeconds, reason: j['reason'] },
    log: { bytes: log['bytes'], records: log['records'], sha256: log['sha256'] },
  };
}

type FieldError = (name: string, what: string) => never;

/**
 * The bulk sample stream's state: {generator: "xoshiro128**", words: 4 int32}. A checkpoint whose
 * stream is seedrandom's xor4096 ({generator: {X, i, w}, spareNormal}) was written before fresh
 * samples moved to the bulk stream: its run cannot continue with the same draws, so it is refused.
 */
function randomState(x: unknown, field: FieldError): BulkRandomState {
  if (isObj(x) && isObj(x['generator']) && 'spareNormal' in x) {
    return field('sampling.state', `holds the xor4096 sample stream of an earlier descent (fresh samples now come from ${BULK_GENERATOR}, so the run's next draws would differ)`);
  }
  if (!isObj(x) || extraKeys(x, ['generator', 'words']).length > 0) return field('sampling.state', 'is not {generator, words}');
  if (x['generator'] !== BULK_GENERATOR) return field('sampling.state.generator', `is not "${BULK_GENERATOR}" (got ${JSON.stringify(x['generator'])?.slice(0, 40)})`);
  const words = x['words'];
  if (!Array.isArray(words) || words.length !== 4 || !words.every(isInt32)) {
    return field('sampling.state.words', `is not 4 int32 words (got ${Array.isArray(words) ? `${words.length} entries` : typeof words})`);
  }
  if (words.every((w) => w === 0)) return field('sampling.state.words', 'are all zero (not a state of the generator)');
  return { generator: BULK_GENERATOR, words: words as number[] };
}

function batchOf(x: unknown, sizes: readonly number[], field: FieldError): Float64Array[] {
  if (!Array.isArray(x) || x.length !== sizes.length) return field('sampling.batch', `is not ${sizes.length} sample buffer${sizes.length === 1 ? '' : 's'}`);
  return x.map((b, i) => (typeof b === 'string' ? decodeExact(b, sizes[i]!, `sampling.batch[${i}]`, field) : field(`sampling.batch[${i}]`, 'is not base64 text')));
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64 of exactly `n` float64 values (Buffer.from would skip stray characters). */
function decodeExact(b64: string, n: number, name: string, field: FieldError): Float64Array {
  if (b64.length % 4 !== 0 || !BASE64.test(b64)) return field(name, 'is not base64 text');
  const a = decodeF64(b64);
  if (a.length !== n) return field(name, `holds ${a.length} values, want ${n}`);
  return a;
}

/** Equality of JSON values by their canonical text. */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
