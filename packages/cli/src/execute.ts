// One run into its folder: log.jsonl as it goes, run.json (settings, versions, params, summary), loss.svg.
import { nativeStatus } from '@descent/autodiff';
import type { ClaimSetting } from '@descent/dsl';
import type { Hash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliError } from './errors.js';
import { seal, sha256, type Seal } from './integrity.js';
import { acquireLock, LOCK_FILE, writeFailure, WRITE_ERRORS, type RunLock } from './lock.js';
import { encodeF64, OptimizerError } from '@descent/autodiff/optim';
import { paramsToJson } from './params-io.js';
import { renderSvg } from './plot/svg.js';
import type { Progress } from './progress.js';
import { LogBuffer, RecordRows } from './log-buffer.js';
import { CHECKPOINT_FILE, writeCheckpoint, type CheckpointIdentity, type LogPosition } from './checkpoint.js';
import { isAtomicTemp, writeJsonAtomic, writeJsonAtomicAsync, type DeferredDirSyncs, type LogRecord } from './runlog.js';
import { runModel, type RunModel } from './run-model.js';
import { optimizerText, type RunConfig, type Setup } from './setup.js';
import { summarize, tailFit, type RunSummary } from './summary.js';
import { trainAsync, type TrainCheckpoint, type TrainOptions, type TrainResult } from './train.js';

/** Kept free while a run writes, and deleted to make room for run.json's "failed" if the disk fills. */
export const RESERVE_FILE = '.descent.reserve';

/** The files of a run folder; --force replaces exactly these (and stale temporary files). */
export const RUN_FILES = ['log.jsonl', 'run.json', 'loss.svg', 'checkpoint.json', RESERVE_FILE] as const;

/** run.json: what was run, with which versions, how it ended, and the final parameters. */
export interface RunJson {
  readonly format: 'descent-run/1';
  /** 'failed': the process ended on an error (disk full, a failing optimizer, a bug); see `failure`. */
  readonly status: 'running' | 'failed' | RunSummary['status'];
  /** The model: name, file, sha256 of its text, the text itself and the files it loaded (see run-model.ts). */
  readonly model: RunModel;
  /** The run folder this run was made again from (`descent run RUN_DIR`). */
  readonly rerunOf?: string;
  /** The config the run was made from (flags and model), enough to compile it again. */
  readonly config: RunConfig;
  /** The resolved settings: file values with every override applied. */
  readonly settings: {
    readonly seed: number;
    readonly steps: number;
    readonly log: number;
    readonly optimizer: { readonly name: string; readonly args: Readonly<Record<string, number>> };
    readonly expect: unknown;
    readonly objective: 'minimize' | 'maximize';
    readonly constants: Readonly<Record<string, number>>;
  };
  readonly versions: Readonly<Record<string, string>>;
  readonly argv?: readonly string[];
  readonly started: string;
  readonly finished?: string;
  readonly summary?: RunSummary;
  /** Final parameters (the last finite ones for a diverged run), nested like the declarations. */
  readonly params?: Readonly<Record<string, unknown>>;
  /** The step whose values `params` are (the last finite step of a diverged run). */
  readonly paramsStep?: number;
  /** `params` again, losslessly: base64 of little-endian float64 (keeps -0; compare runs bit for bit). */
  readonly paramsF64?: Readonly<Record<string, string>>;
  /** Set for runs made by a sweep: the entry of its plan. */
  readonly sweep?: unknown;
  /** --checkpoint-every of the run (a resume keeps it unless given again). */
  readonly checkpointEvery?: number;
  /** Each `descent resume` of the run: when, from which step, and the kernels if they changed (--allow-kernel-change). */
  readonly resumed?: readonly { readonly at: string; readonly step: number; readonly kernels?: string }[];
  /** Checksums of the identity-bearing parts (model, config, settings): resume refuses any change. */
  readonly integrity?: Seal;
  /** The step of the first checkpoint written: from then on a missing checkpoint.json is refused, not restarted. */
  readonly checkpointed?: number;
  /** Why a "failed" run ended. */
  readonly failure?: { readonly reason: string; readonly step: number | null };
}

/** The parts of run.json that decide what the run computes: the model, its config and the resolved settings. */
export function runIdentity(j: Pick<RunJson, 'model' | 'config' | 'settings'>): Record<string, unknown> {
  return { model: j.model, config: j.config, settings: j.settings };
}

let versionsCache: Record<string, string> | undefined;

/** Which kernels compute the products and softmaxes: results differ between them in the last bits. */
export function kernelsInUse(): string {
  return nativeStatus.available ? `native (${nativeStatus.isa})` : `WebAssembly (native: ${nativeStatus.reason})`;
}

/** Node's and the descent packages' versions (read from the packages' package.json files), and the kernels in use. */
export function versions(): Record<string, string> {
  if (versionsCache) return versionsCache;
  const read = (rel: string): string => {
    try {
      return (JSON.parse(fs.readFileSync(new URL(rel, import.meta.url), 'utf8')) as { version?: string }).version ?? 'unknown';
    } catch {
      return 'unknown';
    }
  };
  versionsCache = {
    node: process.version,
    '@descent/cli': read('../package.json'),
    '@descent/dsl': read('../../dsl/package.json'),
    '@descent/autodiff': read('../../autodiff/package.json'),
    kernels: kernelsInUse(),
  };
  return versionsCache;
}

/** Temporary files of writers that ended without cleaning up (a kill): safe to remove under the lock. */
export function removeStaleTemps(dir: string): void {
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) if (isAtomicTemp(n)) fs.rmSync(path.join(dir, n), { force: true });
}

/**
 * Makes `dir` ready for a run and takes its lock (one writer per folder; see acquireLock): created
 * if missing; an existing folder must be empty unless `force`, in which case the previous run's
 * files are removed (a live run's folder is refused: its lock is held). Errors are CliErrors
 * (exit 2). The caller releases the lock.
 */
export function prepareOutDir(dir: string, force: boolean, command: string): RunLock {
  const lock = lockOutDir(dir, command);
  try {
    clearOutDir(dir, force, command);
  } catch (e) {
    lock.release();
    throw e;
  }
  return lock;
}

/** Creates `dir` if missing and takes its lock, leaving what it holds as it is (the caller decides, then releases). */
export function lockOutDir(dir: string, command: string): RunLock {
  try {
    const st = fs.statSync(dir);
    if (!st.isDirectory()) throw new CliError(`descent ${command}: cannot write to --out ${dir}: it is a file, not a folder.`);
  } catch (e) {
    if (e instanceof CliError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new CliError(`descent ${command}: cannot write to --out ${dir}: ${writeFailure(e)}.`);
  }
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new CliError(`descent ${command}: cannot write to --out ${dir}: ${writeFailure(mkdirError(dir, e))}.`);
  }
  return acquireLock(dir, command);
}

/**
 * Under `dir`'s lock: refuses a folder that is not empty unless `force`, which removes the
 * previous run's files (and stale temporary files); then checks the folder is writable.
 */
export function clearOutDir(dir: string, force: boolean, command: string): void {
  try {
    const entries = fs.readdirSync(dir).filter((n) => !n.startsWith(LOCK_FILE));
    if (entries.length > 0) {
      if (!force) {
        const what = entries.includes('run.json') ? 'holds a previous run' : `is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'})`;
        throw new CliError(`descent ${command}: --out ${dir} ${what}; refusing to overwrite it. Pass --force to replace it, or choose another --out.`);
      }
      for (const f of RUN_FILES) {
        try {
          fs.rmSync(path.join(dir, f), { force: true });
        } catch (e) {
          throw new CliError(`descent ${command}: --force cannot replace ${path.join(dir, f)}: ${(e as NodeJS.ErrnoException).code === 'ERR_FS_EISDIR' ? 'it is a folder' : writeFailure(e)}.`);
        }
      }
      removeStaleTemps(dir);
    }
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    throw e instanceof CliError ? e : new CliError(`descent ${command}: cannot write to --out ${dir}: ${writeFailure(e)}.`);
  }
}

/**
 * The real reason a recursive mkdir failed: it reports ENOENT on a read-only file system, so the
 * first missing folder is made alone to get the error that stopped it (EROFS, EACCES…).
 */
function mkdirError(dir: string, e: unknown): unknown {
  if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return e;
  let first = path.resolve(dir);
  while (!fs.existsSync(path.dirname(first)) && path.dirname(first) !== first) first = path.dirname(first);
  try {
    fs.mkdirSync(first);
    fs.rmdirSync(first);
  } catch (inner) {
    return inner;
  }
  return e;
}

/** `runs/<model>-<YYYYMMDD-HHMMSS>` (with -2, -3… if taken) under `root`. */
export function defaultOutDir(name: string, root = 'runs', now = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  const base = path.join(root, `${name}-${stamp}`);
  let dir = base;
  for (let k = 2; fs.existsSync(dir); k++) dir = `${base}-${k}`;
  return dir;
}

export interface ExecuteOptions {
  readonly setup: Setup;
  /** An existing, empty folder (see prepareOutDir), or the folder of the run being resumed. */
  readonly outDir: string;
  readonly progress?: Progress;
  readonly shouldStop?: () => boolean;
  readonly argv?: readonly string[];
  /** Stored in run.json as "sweep". */
  readonly sweep?: unknown;
  /** Write checkpoint.json every this many steps (a stop request always writes one). */
  readonly checkpointEvery?: number;
  /** Continue the run in `outDir` (see prepareResume) instead of starting one. */
  readonly resume?: ResumePoint;
  /** The run folder this run repeats (`descent run RUN_DIR`), stored in run.json as "rerunOf". */
  readonly rerunOf?: string;
  /** Check these claims instead of the file's (`descent verify --claims FILE`). */
  readonly claims?: readonly ClaimSetting[];
  /** The command, for messages (default "run"). */
  readonly command?: string;
  /**
   * Trains the program (default trainAsync): a batched sweep passes its seed's share of one
   * batched training (batch-train.ts), which calls the same callbacks the same way.
   */
  readonly trainer?: (options: TrainOptions) => Promise<TrainResult>;
  /**
   * Where the sync of the folder after the final run.json's rename goes, instead of being done at
   * once: a batch of runs syncs all its folders together, and flushes this before reporting them.
   */
  readonly deferredDirSyncs?: DeferredDirSyncs;
}

/** Where a resumed run starts: its run.json, its checkpoint (null: from step 0), its log so far. */
export interface ResumePoint {
  readonly runJson: RunJson;
  readonly checkpoint: TrainCheckpoint | null;
  /** log.jsonl, already cut to the checkpoint's length, the records it holds, and the running hash of its bytes. */
  readonly log: LogPosition & { readonly hash: Hash };
  readonly records: readonly LogRecord[];
  /** The kernels now in use, when they differ from the run's and --allow-kernel-change allowed it. */
  readonly kernelChange?: string;
}

export interface RunOutcome {
  readonly summary: RunSummary;
  readonly records: readonly LogRecord[];
  readonly outDir: string;
  readonly result: TrainResult;
}

/** The loss plot of a run: log-log (linear y when the loss is not positive), the tail fit dashed. */
export function lossSvg(name: string, records: readonly LogRecord[]): string {
  const fit = tailFit(records);
  const finite = records.filter((r) => Number.isFinite(r.loss));
  const yScale = finite.length > 0 && finite.every((r) => r.loss > 0) ? 'log' : 'linear';
  return renderSvg([{ x: records.map((r) => r.step), y: records.map((r) => r.loss), label: 'loss' }], {
    title: name,
    xLabel: 'step',
    yLabel: 'loss',
    xScale: 'log',
    yScale,
    fits: fit && yScale === 'log' ? [{ fit }] : [],
  });
}

/** Writes a file, turning a failure into a CliError naming it. */
export function writeFileOrFail(file: string, data: string | Uint8Array, command: string): void {
  try {
    fs.writeFileSync(file, data);
  } catch (e) {
    throw new CliError(`descent ${command}: cannot write ${file}: ${writeFailure(e)}.`);
  }
}

/** The model text and settings a checkpoint must match (see readCheckpoint); `run`: run.json's identity checksum. */
export function identityOf(setup: Setup, run: string): CheckpointIdentity {
  return {
    sha256: sha256(setup.model.source),
    seed: setup.seed,
    steps: setup.steps,
    log: setup.logCount,
    optimizer: setup.optimizer,
    run,
  };
}

/**
 * The error that ended a run, as the CliError to report: a file system that refused a write
 * (disk full, file size limit, read-only, permissions) or a failing optimizer is exit 2 with the
 * reason; anything else is a bug (null: rethrown as is, exit 70).
 */
function failureOf(e: unknown, command: string, outDir: string, step: number | null): CliError | null {
  if (e instanceof CliError) return e;
  const at = step === null ? '' : ` at step ${step}`;
  const code = (e as NodeJS.ErrnoException).code;
  if (code !== undefined && WRITE_ERRORS.has(code)) {
    const file = (e as NodeJS.ErrnoException).path ?? outDir;
    return new CliError(`descent ${command}: cannot write ${file}${at}: ${writeFailure(e)}. run.json is marked "failed" and the log ends on its last whole record; make room (or fix the folder) and continue with: descent resume ${outDir}`);
  }
  if (e instanceof OptimizerError) {
    const hint = e.message.startsWith('flow:') ? ' Gradient flow needs a loss that is smooth along the path: a kink such as abs() or relu() at the current point makes it stiff (try --optimizer gd).' : '';
    return new CliError(`descent ${command}: the optimizer failed${at}: ${e.message}. run.json is marked "failed".${hint}`);
  }
  return null;
}

/**
 * Trains the setup's program into `outDir`. The log is appended as it goes, in whole-line batches
 * at least every 0.25 s (see LogBuffer), and flushed however the run ends; run.json is written
 * first with status "running" and replaced at the end, after loss.svg (so a run.json saying
 * "completed" means every file is there). Every `checkpointEvery` steps, and at a stop request,
 * the log is flushed and synced and then checkpoint.json is written atomically with the log's
 * length, so the checkpoint never refers to lines that are not on disk. Divergence and
 * interruption end the run normally, with their status in the summary.
 */
export async function executeRun(o: ExecuteOptions): Promise<RunOutcome> {
  const { setup, outDir } = o;
  const { program, model } = setup;
  const runFile = path.join(outDir, 'run.json');
  const command = o.command ?? 'run';
  const resume = o.resume;
  const base: RunJson = resume
    ? {
        ...resume.runJson,
        status: 'running',
        ...(o.checkpointEvery ? { checkpointEvery: o.checkpointEvery } : {}),
        resumed: [...(resume.runJson.resumed ?? []), { at: new Date().toISOString(), step: resume.checkpoint?.step ?? 0, ...(resume.kernelChange ? { kernels: resume.kernelChange } : {}) }],
      }
    : {
        format: 'descent-run/1',
        status: 'running',
        model: runModel(model),
        ...(o.rerunOf !== undefined ? { rerunOf: o.rerunOf } : {}),
        config: setup.config,
        settings: {
          seed: setup.seed,
          steps: setup.steps,
          log: setup.logCount,
          optimizer: setup.optimizer,
          expect: program.settings.expect,
          objective: program.settings.objective,
          constants: program.constants,
        },
        versions: versions(),
        ...(o.argv ? { argv: o.argv } : {}),
        ...(o.checkpointEvery ? { checkpointEvery: o.checkpointEvery } : {}),
        started: new Date().toISOString(),
        ...(o.sweep !== undefined ? { sweep: o.sweep } : {}),
      };
  // a resumed run.json loses the previous ending: it is running again
  const { finished: _f, summary: _s, params: _p, paramsStep: _ps, paramsF64: _pf, optimizerText: _o, process: _pr, failure: _fl, ...kept } = base as RunJson & { optimizerText?: string; process?: unknown };
  const sealed: RunJson = kept.integrity ? kept : { ...kept, integrity: seal(runIdentity(kept)) };
  const identity = identityOf(setup, sealed.integrity!.sha256);
  // while running, which process runs it (informative: the lock file is what keeps a second writer out)
  let running: RunJson = sealed;
  const runningJson = (): RunJson & { readonly process: { readonly pid: number; readonly host: string } } => ({ ...running, status: 'running', process: { pid: process.pid, host: os.hostname() } });
  const writeRunning = (): void => writeJsonAtomic(runFile, runningJson());
  let lastStep: number | null = resume?.checkpoint?.step ?? null;
  let ended = false;
  /** Marks run.json "failed" (or "interrupted") with the reason; makes room first if the disk is full. */
  const endAs = (status: 'failed' | 'interrupted', why: string): void => {
    ended = true;
    try {
      fs.rmSync(path.join(outDir, RESERVE_FILE), { force: true });
    } catch {
      /* a folder turned read-only: the writes below fail too, and the error reported says why */
    }
    const json = { ...running, status, finished: new Date().toISOString(), failure: { reason: why, step: lastStep } };
    try {
      writeJsonAtomic(runFile, json);
    } catch {
      // no room even for a temporary file: overwrite in place (the "running" text is about as long)
      try {
        const fd = fs.openSync(runFile, 'r+');
        try {
          const text = Buffer.from(`${JSON.stringify(json, null, 2)}\n`);
          fs.writeSync(fd, text, 0, text.length, 0);
          fs.ftruncateSync(fd, text.length);
        } finally {
          fs.closeSync(fd);
        }
      } catch {
        /* nothing more can be done; the error reported says why */
      }
    }
  };
  // a process that exits at once (a second Ctrl-C) still leaves run.json saying so
  const onHardExit = (): void => {
    if (!ended) endAs('interrupted', 'the process exited at once (a second stop signal); resume from the last checkpoint');
  };
  try {
    // Its contents synced, its rename not: a machine crash before anything else of the run is
    // synced (the log is synced at the first checkpoint, which writes run.json again, synced) may
    // leave no run.json, i.e. a run not started, which is what can be resumed of it. A killed
    // process leaves it in any case (the rename is the kernel's once made). Written on the thread
    // pool: the seeds of a batch start together, and their syncs overlap.
    await writeJsonAtomicAsync(runFile, runningJson(), 'never');
    // room for the final run.json if the disk fills up: freed before writing "failed"
    fs.writeFileSync(path.join(outDir, RESERVE_FILE), Buffer.alloc(64 * 1024 + 4 * fs.statSync(runFile).size));
  } catch (e) {
    const f = failureOf(e, command, outDir, lastStep);
    if (fs.existsSync(runFile)) endAs('failed', f?.message ?? String(e));
    throw f ?? e;
  }
  process.on('exit', onHardExit);
  try {
    return await trainInto(o, setup, sealed, identity, (r) => (running = r), writeRunning, (s) => (lastStep = s), () => (ended = true));
  } catch (e) {
    const f = failureOf(e, command, outDir, lastStep);
    // (once run.json says how the run ended, a later error does not overwrite it)
    if (!ended) endAs('failed', f ? f.message : `internal error: ${(e as Error).message}`);
    throw f ?? e;
  } finally {
    process.off('exit', onHardExit);
  }
}

/** The training and the final files of executeRun, once run.json says "running". */
async function trainInto(
  o: ExecuteOptions,
  setup: Setup,
  sealed: RunJson,
  identity: CheckpointIdentity,
  setRunning: (r: RunJson) => void,
  writeRunning: () => void,
  atStep: (step: number) => void,
  finished: () => void,
): Promise<RunOutcome> {
  const { outDir } = o;
  const { program, model } = setup;
  const runFile = path.join(outDir, 'run.json');
  const resume = o.resume;
  let running = sealed;
  const log = new LogBuffer(path.join(outDir, 'log.jsonl'), undefined, undefined, resume?.log);
  // this run's records, as rows of numbers (no object per record in the loop); records at the end
  const rows = new RecordRows(program.metricInfo);
  log.attach(rows);
  const progress = o.progress;
  let result: TrainResult;
  try {
    result = await (o.trainer ?? trainAsync)({
      program,
      optimizer: setup.spec,
      ...(setup.schedule ? { schedule: setup.schedule } : {}),
      steps: setup.steps,
      logCount: setup.logCount,
      onRow: (step, loss, elapsed, metrics) => {
        atStep(step);
        rows.push(step, loss, elapsed, metrics);
        log.addRow();
      },
      onStep: (step: number, loss: number) => {
        atStep(step);
        progress?.update(step, loss);
      },
      ...(o.shouldStop ? { shouldStop: o.shouldStop } : {}),
      ...(o.checkpointEvery ? { checkpointEvery: o.checkpointEvery } : {}),
      ...(resume?.checkpoint ? { resume: resume.checkpoint } : {}),
      onCheckpoint: (cp) => {
        log.sync();
        writeCheckpoint(outDir, cp, program.paramInfo, identity, { ...log.position(), sha256: log.digest() });
        if (running.checkpointed === undefined) {
          // from now on a missing checkpoint.json is a loss to report, not a run to restart
          running = { ...running, checkpointed: cp.step };
          setRunning(running);
          writeRunning();
        }
      },
    });
  } finally {
    log.close();
  }
  progress?.finish(result.step, result.loss);
  // the whole log's records: a resumed run's earlier ones, then this run's
  const records: readonly LogRecord[] = resume ? [...resume.records, ...rows.records()] : rows.records();
  const last = records[records.length - 1];
  // metrics at the end state; a run that did not complete reports its last record, as its claims
  // read, and so does a completed run (its last step is always logged, at the end state)
  const fromRecords = last !== undefined && (result.status !== 'completed' || last.step === result.step);
  const metrics = fromRecords ? last.metrics : result.status === 'diverged' ? {} : program.metrics();
  const summary = summarize({
    status: result.status,
    step: result.step,
    steps: setup.steps,
    loss: fromRecords ? last.loss : result.loss,
    metrics,
    records,
    claims: o.claims ?? program.claims,
    seconds: result.seconds,
    computeSeconds: result.computeSeconds,
    ...(result.divergence ? { divergence: result.divergence } : {}),
  });
  fs.writeFileSync(path.join(outDir, 'loss.svg'), lossSvg(model.name, records));
  fs.rmSync(path.join(outDir, RESERVE_FILE), { force: true });
  await writeJsonAtomicAsync(runFile, {
    ...running,
    status: result.status,
    finished: new Date().toISOString(),
    summary,
    optimizerText: optimizerText(setup.optimizer),
    // how each Hessian metric was computed (dense and exact, or Lanczos / Hutchinson with their error)
    ...(program.curvatureReport().length > 0 ? { curvature: program.curvatureReport() } : {}),
    params: paramsToJson(program.paramInfo, result.params),
    paramsStep: result.paramsStep,
    paramsF64: Object.fromEntries(program.paramInfo.map((p, i) => [p.name, encodeF64(result.params[i]!)])),
  }, o.deferredDirSyncs ?? 'now');
  finished();
  // a completed run's last checkpoint is stale; an interrupted or diverged run keeps its own
  if (result.status === 'completed') fs.rmSync(path.join(outDir, CHECKPOINT_FILE), { force: true });
  return { summary, records, outDir, result };
}
