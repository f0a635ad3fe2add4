// One run into its folder: log.jsonl as it goes, run.json (settings, versions, params, summary), loss.svg.
import { nativeStatus } from '@descent/autodiff';
import type { ClaimSetting } from '@descent/dsl';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliError } from './errors.js';
import { encodeF64 } from './optimizers/index.js';
import { paramsToJson } from './params-io.js';
import { renderSvg } from './plot/svg.js';
import type { Progress } from './progress.js';
import { LogBuffer, RecordRows } from './log-buffer.js';
import { CHECKPOINT_FILE, writeCheckpoint, type CheckpointIdentity, type LogPosition } from './checkpoint.js';
import { writeJsonAtomic, type LogRecord } from './runlog.js';
import { runModel, type RunModel } from './run-model.js';
import { optimizerText, type RunConfig, type Setup } from './setup.js';
import { summarize, tailFit, type RunSummary } from './summary.js';
import { trainAsync, type TrainCheckpoint, type TrainResult } from './train.js';

/** The files of a run folder; --force replaces exactly these. */
export const RUN_FILES = ['log.jsonl', 'run.json', 'loss.svg', 'checkpoint.json'] as const;

/** run.json: what was run, with which versions, how it ended, and the final parameters. */
export interface RunJson {
  readonly format: 'descent-run/1';
  readonly status: 'running' | RunSummary['status'];
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
  /** Each `descent resume` of the run: when, and from which step. */
  readonly resumed?: readonly { readonly at: string; readonly step: number }[];
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

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'the disk is full';
    default:
      return (e as Error).message;
  }
}

/**
 * Makes `dir` ready for a run: created if missing; an existing folder must be empty unless
 * `force`, in which case the previous run's files are removed. Errors are CliErrors (exit 2).
 */
export function prepareOutDir(dir: string, force: boolean, command: string): void {
  let entries: string[] | null = null;
  try {
    const st = fs.statSync(dir);
    if (!st.isDirectory()) throw new CliError(`descent ${command}: cannot write to --out ${dir}: it is a file, not a folder.`);
    entries = fs.readdirSync(dir);
  } catch (e) {
    if (e instanceof CliError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new CliError(`descent ${command}: cannot write to --out ${dir}: ${reason(e)}.`);
  }
  if (entries && entries.length > 0) {
    if (!force) {
      const what = entries.includes('run.json') ? 'holds a previous run' : `is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'})`;
      throw new CliError(`descent ${command}: --out ${dir} ${what}; refusing to overwrite it. Pass --force to replace it, or choose another --out.`);
    }
    for (const f of RUN_FILES) {
      try {
        fs.rmSync(path.join(dir, f), { force: true });
      } catch (e) {
        throw new CliError(`descent ${command}: --force cannot replace ${path.join(dir, f)}: ${(e as NodeJS.ErrnoException).code === 'ERR_FS_EISDIR' ? 'it is a folder' : reason(e)}.`);
      }
    }
  }
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    throw new CliError(`descent ${command}: cannot write to --out ${dir}: ${reason(e)}.`);
  }
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
}

/** Where a resumed run starts: its run.json, its checkpoint (null: from step 0), its log so far. */
export interface ResumePoint {
  readonly runJson: RunJson;
  readonly checkpoint: TrainCheckpoint | null;
  /** log.jsonl, already cut to the checkpoint's length, and the records it holds. */
  readonly log: LogPosition;
  readonly records: readonly LogRecord[];
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
    throw new CliError(`descent ${command}: cannot write ${file}: ${reason(e)}.`);
  }
}

/** The model text and settings a checkpoint must match (see readCheckpoint). */
export function identityOf(setup: Setup): CheckpointIdentity {
  return {
    sha256: createHash('sha256').update(setup.model.source).digest('hex'),
    seed: setup.seed,
    steps: setup.steps,
    log: setup.logCount,
    optimizer: setup.optimizer,
  };
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
  const identity = identityOf(setup);
  const resume = o.resume;
  const base: RunJson = resume
    ? {
        ...resume.runJson,
        status: 'running',
        ...(o.checkpointEvery ? { checkpointEvery: o.checkpointEvery } : {}),
        resumed: [...(resume.runJson.resumed ?? []), { at: new Date().toISOString(), step: resume.checkpoint?.step ?? 0 }],
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
  const { finished: _f, summary: _s, params: _p, paramsStep: _ps, paramsF64: _pf, optimizerText: _o, process: _pr, ...kept } = base as RunJson & { optimizerText?: string; process?: unknown };
  // while running, which process runs it (so that a resume can refuse to start a second one)
  writeJsonAtomic(runFile, { ...kept, status: 'running', process: { pid: process.pid, host: os.hostname() } });
  const running = kept;
  const log = new LogBuffer(path.join(outDir, 'log.jsonl'), undefined, undefined, resume?.log);
  // this run's records, as rows of numbers (no object per record in the loop); records at the end
  const rows = new RecordRows(program.metricInfo);
  log.attach(rows);
  const progress = o.progress;
  let result: TrainResult;
  try {
    result = await trainAsync({
      program,
      optimizer: setup.spec,
      steps: setup.steps,
      logCount: setup.logCount,
      onRow: (step, loss, elapsed, metrics) => {
        rows.push(step, loss, elapsed, metrics);
        log.addRow();
      },
      ...(progress ? { onStep: (step: number, loss: number) => progress.update(step, loss) } : {}),
      ...(o.shouldStop ? { shouldStop: o.shouldStop } : {}),
      ...(o.checkpointEvery ? { checkpointEvery: o.checkpointEvery } : {}),
      ...(resume?.checkpoint ? { resume: resume.checkpoint } : {}),
      onCheckpoint: (cp) => {
        log.sync();
        writeCheckpoint(outDir, cp, program.paramInfo, identity, log.position());
      },
    });
  } finally {
    log.close();
  }
  progress?.finish(result.step, result.loss);
  // the whole log's records: a resumed run's earlier ones, then this run's
  const records: readonly LogRecord[] = resume ? [...resume.records, ...rows.records()] : rows.records();
  const last = records[records.length - 1];
  // metrics at the end state; a diverged run reports those of its last record
  const metrics = result.status === 'diverged' ? (last?.metrics ?? {}) : program.metrics();
  const summary = summarize({
    status: result.status,
    step: result.step,
    steps: setup.steps,
    loss: result.loss,
    metrics,
    records,
    claims: o.claims ?? program.claims,
    seconds: result.seconds,
    computeSeconds: result.computeSeconds,
    ...(result.divergence ? { divergence: result.divergence } : {}),
  });
  fs.writeFileSync(path.join(outDir, 'loss.svg'), lossSvg(model.name, records));
  writeJsonAtomic(runFile, {
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
  });
  // a completed run's last checkpoint is stale; an interrupted or diverged run keeps its own
  if (result.status === 'completed') fs.rmSync(path.join(outDir, CHECKPOINT_FILE), { force: true });
  return { summary, records, outDir, result };
}
