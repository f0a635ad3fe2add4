// `descent sweep … --submit slurm`: the sweep folder, its sbatch script, the submission, and slurm.json.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sameJson } from './checkpoint.js';
import { CliError, EXIT } from './errors.js';
import { clearOutDir, lockOutDir } from './execute.js';
import type { Io } from './io.js';
import { readJson, writeJsonAtomic } from './runlog.js';
import { splitShellWords, submitScript } from './slurm.js';
import { readManifest, writeManifest, type SweepManifest } from './sweep-collect.js';
import { removeEntries } from './sweep-run.js';

export const SCRIPT_FILE = 'sweep.sbatch';
export const SLURM_FILE = 'slurm.json';

/** One submission of a sweep's script. */
export interface SlurmSubmission {
  /** The array job's id. */
  readonly id: string;
  /** When sbatch was called (ISO, milliseconds). */
  readonly submitted: string;
  readonly sbatchArgs: readonly string[];
  readonly tasks: number;
}

/** slurm.json: every submission of the sweep folder's script, oldest first. */
export interface SlurmRecord {
  readonly format: 'descent-slurm/1';
  readonly jobs: readonly SlurmSubmission[];
}

/** slurm.json of `dir`, or null when the sweep was never submitted from there. */
export function readSlurmRecord(dir: string): SlurmRecord | null {
  try {
    const j = readJson<SlurmRecord>(path.join(dir, SLURM_FILE));
    return j.format === 'descent-slurm/1' && Array.isArray(j.jobs) ? j : null;
  } catch {
    return null;
  }
}

/** The same sweep: the same plan and base settings (the model may be spelled differently). */
function sameSweep(a: SweepManifest, b: SweepManifest): boolean {
  const { model: _a, ...baseA } = a.base;
  const { model: _b, ...baseB } = b.base;
  return sameJson(a.runs, b.runs) && sameJson(baseA, baseB);
}

export interface SubmitOptions {
  readonly dir: string;
  readonly manifest: SweepManifest;
  readonly script: string;
  /** --sbatch-args as typed. */
  readonly sbatchArgs: string;
  readonly force: boolean;
  readonly json: boolean;
}

/**
 * Writes the sweep folder (sweep.json, sweep.sbatch), submits the script with sbatch and records
 * the job in slurm.json. A folder holding the same sweep may be submitted again without --force:
 * its finished entries are left as they are and interrupted ones resume. The sweep folder's lock
 * is held meanwhile (a local sweep or another submission into it is refused).
 */
export function submitSweep(o: SubmitOptions, io: Io): number {
  const lock = lockOutDir(o.dir, 'sweep');
  try {
    return submitLocked(o, io);
  } finally {
    lock.release();
  }
}

function submitLocked(o: SubmitOptions, io: Io): number {
  const { dir, manifest } = o;
  const sbatchArgs = splitShellWords(o.sbatchArgs);
  const again = !o.force && fs.existsSync(path.join(dir, 'sweep.json'));
  if (again && !sameSweep(readManifest(dir, 'sweep'), manifest)) {
    throw new CliError(`descent sweep: --out ${dir} holds another sweep (its sweep.json has another plan or other settings); pass --force to replace it, or choose another --out.`);
  }
  if (!again) {
    clearOutDir(dir, o.force, 'sweep');
    if (o.force) {
      removeEntries(dir, manifest.runs);
      fs.rmSync(path.join(dir, SLURM_FILE), { force: true });
    }
  }
  writeManifest(dir, manifest);
  const scriptFile = path.resolve(dir, SCRIPT_FILE);
  fs.writeFileSync(scriptFile, o.script, { mode: 0o755 });
  const submitted = new Date().toISOString();
  const id = submitScript(scriptFile, sbatchArgs);
  const before = readSlurmRecord(dir)?.jobs ?? [];
  const record: SlurmRecord = { format: 'descent-slurm/1', jobs: [...before, { id, submitted, sbatchArgs, tasks: manifest.runs.length }] };
  writeJsonAtomic(path.join(dir, SLURM_FILE), record);
  const n = manifest.runs.length;
  if (o.json) {
    io.stdout(`${JSON.stringify({ job: id, dir, script: scriptFile, tasks: n, submitted, resubmission: again }, null, 2)}\n`);
  } else {
    io.stdout(
      `submitted Slurm job ${id}: ${n} task${n === 1 ? '' : 's'} (array 0-${n - 1})${again ? ', again: finished entries stay as they are, interrupted ones resume' : ''} → ${dir}\n` +
        `  script:   ${scriptFile}\n  progress: descent status ${dir}\n  results:  descent collect ${dir}\n`,
    );
  }
  return EXIT.ok;
}
