// `descent status DIR`: each entry of a sweep from its run folder, its Slurm task's state and its Slurm log.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunJson } from './execute.js';
import { fmt } from './format.js';
import { liveHolder } from './lock.js';
import { readJson, readJsonl, type LogRecord } from './runlog.js';
import { LIVE_STATES, taskStates, type TaskState } from './slurm.js';
import { readManifest } from './sweep-collect.js';
import type { PlannedRun } from './sweep-plan.js';
import { readSlurmRecord } from './sweep-submit.js';
import { divergenceText } from './summary.js';

export type EntryState = 'done' | 'running' | 'pending' | 'interrupted' | 'diverged' | 'failed' | 'missing';

export interface EntryStatus {
  readonly index: number;
  readonly id: string;
  readonly dir: string;
  readonly state: EntryState;
  /** The last logged step, and the run's number of steps, when it has a run.json. */
  readonly step?: number;
  readonly steps?: number;
  /** Why (failed), where it stopped (interrupted), what it waits for (pending). */
  readonly detail?: string;
  /** Slurm's state of its task, when the sweep was submitted and Slurm answers. */
  readonly slurm?: TaskState;
}

export interface SweepStatus {
  readonly dir: string;
  readonly model: string;
  readonly jobs: readonly string[];
  readonly entries: readonly EntryStatus[];
  /** What could not be asked of Slurm. */
  readonly note?: string;
}

/** The last non-empty line of the task's Slurm output file (where descent writes its one-paragraph error). */
function lastOutputLine(dir: string, entry: PlannedRun, slurm: TaskState | undefined): string | undefined {
  let file: string | undefined;
  if (slurm) file = path.join(dir, `slurm-${slurm.job}.out`);
  else {
    const mine = fs.readdirSync(dir).filter((f) => f.startsWith('slurm-') && f.endsWith(`_${entry.index}.out`));
    file = mine.map((f) => path.join(dir, f)).sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
  }
  try {
    const text = fs.readFileSync(file!, 'utf8');
    const line = text.trimEnd().split('\n').pop()?.trim();
    return line ? (line.length > 240 ? `${line.slice(0, 239)}…` : line) : undefined;
  } catch {
    return undefined;
  }
}

function lastStep(runDir: string): number | undefined {
  try {
    const r = readJsonl<LogRecord>(path.join(runDir, 'log.jsonl')).records;
    return r[r.length - 1]?.step;
  } catch {
    return undefined;
  }
}

/** Slurm's word for a task that ended without its run finishing: its state and exit code. */
function endedText(s: TaskState): string {
  return `Slurm: ${s.state}${s.exitCode && s.exitCode !== '0:0' ? `, exit ${s.exitCode.replace(/:0$/, '')}` : ''}`;
}

/** One entry's state from its run.json (if any) and its Slurm task (if known). */
function entryStatus(dir: string, entry: PlannedRun, slurm: TaskState | undefined): EntryStatus {
  const runDir = path.join(dir, entry.dir);
  const base = { index: entry.index, id: entry.id, dir: entry.dir, ...(slurm ? { slurm } : {}) };
  const live = slurm !== undefined && LIVE_STATES.has(slurm.state);
  const pending = live && slurm.state !== 'RUNNING' && slurm.state !== 'COMPLETING';
  const waiting = pending ? `waiting${slurm.reason ? ` (${slurm.reason})` : ''}` : undefined;
  const failed = (why: string | undefined): EntryStatus => {
    const out = lastOutputLine(dir, entry, slurm);
    return { ...base, state: 'failed', detail: [why, out].filter((x) => x).join(': ') || 'the task ended without finishing its run' };
  };
  let j: RunJson | undefined;
  try {
    j = readJson<RunJson>(path.join(runDir, 'run.json'));
  } catch {
    /* no run yet */
  }
  if (!j) {
    if (pending) return { ...base, state: 'pending', detail: waiting! };
    if (live) return { ...base, state: 'running', detail: 'starting' };
    if (slurm) return failed(endedText(slurm));
    return { ...base, state: 'missing' };
  }
  const steps = j.settings?.steps;
  const withSteps = { ...base, ...(steps !== undefined ? { steps } : {}) };
  switch (j.status) {
    case 'completed':
      return { ...withSteps, state: 'done', step: j.summary?.step ?? steps ?? 0, detail: `final loss ${fmt(j.summary?.finalLoss ?? NaN)}` };
    case 'diverged':
      return { ...withSteps, state: 'diverged', ...(j.summary ? { step: j.summary.step } : {}), ...(j.summary?.divergence ? { detail: divergenceText(j.summary.divergence) } : {}) };
    case 'interrupted': {
      const at = j.summary?.step ?? lastStep(runDir) ?? 0;
      if (pending) return { ...withSteps, state: 'pending', step: at, detail: `requeued, resumes from step ${at}; ${waiting!}` };
      if (live) return { ...withSteps, state: 'running', step: at, detail: 'resuming' };
      return { ...withSteps, state: 'interrupted', step: at, detail: `stopped at step ${at}; runs on from there when its task runs again` };
    }
    case 'running': {
      const at = lastStep(runDir);
      const step = at !== undefined ? { step: at } : {};
      if (pending) return { ...withSteps, ...step, state: 'pending', detail: `requeued; ${waiting!}` };
      if (slurm && !live) return { ...failed(endedText(slurm)), ...withSteps, ...step, state: 'failed' };
      // a killed run leaves "running" behind: only a live holder of the folder's lock is running it
      if (!slurm && liveHolder(runDir) === null) {
        return { ...failed('run.json says running, but no process holds the folder (killed?); continue it with descent resume'), ...withSteps, ...step, state: 'failed' };
      }
      return { ...withSteps, ...step, state: 'running' };
    }
    default:
      return { ...failed(`run.json says ${j.status}`), ...withSteps };
  }
}

/** The status of every entry of the sweep in `dir`, asking Slurm about the jobs in slurm.json. */
export function sweepStatus(dir: string): SweepStatus {
  const manifest = readManifest(dir, 'status');
  const jobs = (readSlurmRecord(dir)?.jobs ?? []).map((j) => j.id);
  const { states, note } = taskStates(jobs);
  const entries = manifest.runs.map((e) => entryStatus(dir, e, states.get(e.index)));
  return { dir, model: manifest.model.name, jobs, entries, ...(note ? { note } : {}) };
}

/** The printed status: a count per state, then one line per entry. */
export function statusText(st: SweepStatus): string {
  const order: EntryState[] = ['done', 'running', 'pending', 'interrupted', 'diverged', 'failed', 'missing'];
  const counts = order.map((s) => [s, st.entries.filter((e) => e.state === s).length] as const).filter(([, n]) => n > 0);
  const jobs = st.jobs.length ? ` (Slurm job${st.jobs.length === 1 ? '' : 's'} ${st.jobs.join(', ')})` : '';
  const head = `${st.dir}: ${st.model}, ${st.entries.length} runs: ${counts.map(([s, n]) => `${n} ${s}`).join(', ')}${jobs}`;
  const rows: string[][] = [['#', 'run', 'state', 'step', 'slurm', 'detail']];
  for (const e of st.entries) {
    const slurm = e.slurm ? `${e.slurm.state}${e.slurm.restarts ? ` (${e.slurm.restarts} restart${e.slurm.restarts === 1 ? '' : 's'})` : ''}` : '';
    rows.push([String(e.index), e.id, e.state, e.step !== undefined ? `${e.step}${e.steps !== undefined ? `/${e.steps}` : ''}` : '', slurm, e.detail ?? '']);
  }
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  const lines = rows.map((r) => r.map((x, j) => x.padEnd(widths[j]!)).join('  ').trimEnd());
  return [head, ...lines, ...(st.note ? [`(${st.note})`] : [])].join('\n');
}
