// `descent resume RUN_DIR`: recompile from run.json's config, restore the checkpoint, cut the log to it, go on.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCheckpoint } from '../checkpoint.js';
import { CliError } from '../errors.js';
import { executeRun, identityOf, type RunJson, type RunOutcome } from '../execute.js';
import type { CommandArgs, Io } from '../io.js';
import { resolveModel, STDIN_MODEL } from '../model.js';
import { recordedModel } from '../run-model.js';
import { Progress } from '../progress.js';
import { readJson, readJsonl, type LogRecord } from '../runlog.js';
import { setup, type RunConfig } from '../setup.js';
import { StopRequest } from '../signals.js';
import { summaryText } from '../summary.js';
import { jsonReplacer, runEnding, runJsonOutput } from './run.js';

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** run.json of `dir`, checked enough to resume (or rerun) from; anything else is a one-paragraph CliError. */
export function readRunJson(dir: string, command = 'resume'): RunJson {
  const file = path.join(dir, 'run.json');
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    throw new CliError(`descent ${command}: ${dir}: no such folder.`);
  }
  if (!st.isDirectory()) throw new CliError(`descent ${command}: ${dir} is a file; give the run's folder.`);
  if (!fs.existsSync(file)) {
    throw new CliError(`descent ${command}: ${dir} has no run.json, so it is not a run folder (or its run was stopped before it wrote anything); start the run again with descent run.`);
  }
  let j: unknown;
  try {
    j = readJson(file);
  } catch (e) {
    throw new CliError(`descent ${command}: ${file} is not readable JSON (${(e as Error).message.split('\n')[0]}).`);
  }
  if (!isObj(j) || j['format'] !== 'descent-run/1' || !isObj(j['config']) || !isObj(j['model']) || typeof j['status'] !== 'string') {
    throw new CliError(`descent ${command}: ${file} is not a descent run file (format descent-run/1 with its config).`);
  }
  return j as unknown as RunJson;
}

/** True when run.json says another live process on this machine is running it. */
function stillRunning(j: RunJson): number | null {
  const p = (j as { process?: { pid?: unknown; host?: unknown } }).process;
  if (j.status !== 'running' || !p || typeof p.pid !== 'number' || p.host !== os.hostname() || p.pid === process.pid) return null;
  try {
    process.kill(p.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return null;
  }
  // on Linux, a zombie (killed, not yet reaped) or a reused pid of another program is not the run
  try {
    const stat = fs.readFileSync(`/proc/${p.pid}/stat`, 'utf8');
    if (/\) [ZX] /.test(stat)) return null;
    const cmd = fs.readFileSync(`/proc/${p.pid}/cmdline`, 'utf8');
    if (!/descent|main\.js|sweep-worker/.test(cmd)) return null;
  } catch {
    /* no /proc: trust the signal check */
  }
  return p.pid;
}

export async function resumeCommand(a: CommandArgs, io: Io): Promise<number> {
  const { flags } = a;
  const dir = a.positionals[0]!;
  const j = readRunJson(dir);
  if (j.status === 'completed') {
    throw new CliError(`descent resume: the run in ${dir} already completed; nothing to resume. Its results are in ${path.join(dir, 'run.json')}.`);
  }
  if (j.status === 'diverged') {
    const d = j.summary?.divergence;
    throw new CliError(`descent resume: the run in ${dir} diverged${d ? ` at step ${d.step}` : ''}; continuing would diverge again. Its last finite parameters are in ${path.join(dir, 'run.json')}; start a new run (e.g. with a smaller --lr).`);
  }
  const pid = stillRunning(j);
  if (pid !== null && !flags.force) {
    throw new CliError(`descent resume: the run in ${dir} is still running (process ${pid} on this machine); stop it first, or pass --force if that process is not descent.`);
  }
  const config = j.config as RunConfig;
  // a model read from standard input is resumed from the text run.json holds
  const model = config.file === STDIN_MODEL.file ? recordedModel(j.model, path.join(dir, 'run.json'), 'resume') : resolveModel(config.file, 'resume');
  const s = setup(config, 'resume', model);
  const identity = identityOf(s);
  if (identity.sha256 !== j.model.sha256) {
    throw new CliError(`descent resume: the model file ${model.file} changed since the run started (its sha256 differs from run.json's), so the run cannot be continued exactly. Restore the file, or start a new run.`);
  }
  const found = readCheckpoint(dir, s.program.paramInfo, identity);
  const logFile = path.join(dir, 'log.jsonl');
  const pos = found?.log ?? { bytes: 0, records: 0 };
  let size = 0;
  try {
    size = fs.statSync(logFile).size;
  } catch {
    if (pos.bytes > 0) throw new CliError(`descent resume: ${logFile} is missing, but the checkpoint refers to its first ${pos.bytes} bytes; the run cannot be continued.`);
    fs.writeFileSync(logFile, '');
  }
  if (size < pos.bytes) {
    throw new CliError(`descent resume: ${logFile} has ${size} bytes, fewer than the ${pos.bytes} the checkpoint at step ${found!.checkpoint.step} refers to; it was changed, and the run cannot be continued.`);
  }
  // the records after the checkpoint will be computed again: drop them
  fs.truncateSync(logFile, pos.bytes);
  let records: LogRecord[];
  try {
    const r = readJsonl<LogRecord>(logFile);
    if (r.tornTail || r.records.length !== pos.records) throw new Error(`it holds ${r.records.length} whole records where the checkpoint says ${pos.records}`);
    records = r.records;
  } catch (e) {
    throw new CliError(`descent resume: ${logFile} does not match its checkpoint (${(e as Error).message.replace(`${logFile}: `, '')}); the run cannot be continued.`);
  }
  const every = flags.checkpointEvery ?? j.checkpointEvery;
  const from = found?.checkpoint.step ?? 0;
  const progress = new Progress({ total: s.steps, quiet: flags.quiet, label: s.model.name, ...(io.progress ? { stream: io.progress } : {}) });
  const stop = new StopRequest(() => progress.message(`stopping at the next step (press Ctrl-C again to quit at once)…`)).install();
  if (!flags.quiet && !flags.json) {
    progress.message(`${s.model.name}: resuming ${dir} at step ${from} of ${s.steps}${found ? '' : ' (no checkpoint: from the start)'}`);
  }
  let outcome: RunOutcome;
  try {
    outcome = await executeRun({
      setup: s,
      outDir: dir,
      progress,
      shouldStop: stop.requested,
      ...(every ? { checkpointEvery: every } : {}),
      resume: { runJson: j, checkpoint: found?.checkpoint ?? null, log: pos, records },
    });
  } finally {
    stop.dispose();
  }
  if (flags.json) io.stdout(`${JSON.stringify(runJsonOutput(s, outcome), jsonReplacer, 2)}\n`);
  else if (!flags.quiet) io.stdout(summaryText(s.model.name, outcome.summary, outcome.records, dir));
  return runEnding('resume', s, outcome, stop, io);
}
