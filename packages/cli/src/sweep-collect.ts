// A sweep's results from its run folders: summary.csv (no timings, rows by index) and sweep.svg.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Setting } from './args.js';
import { ReadRefused } from './bounded-read.js';
import { CliError, EXIT } from './errors.js';
import { holderText, liveHolder, writeFailure } from './lock.js';
import { fmt } from './format.js';
import { renderSvg, type Series } from './plot/svg.js';
import { settingPalette } from './plot/palette.js';
import { readJson, readJsonl, writeJsonAtomic, type LogRecord } from './runlog.js';
import type { RunConfig } from './setup.js';
import type { PlannedRun } from './sweep-plan.js';
import type { RunSummary } from './summary.js';

/** sweep.json: the sweep's definition and plan, written before any entry runs. */
export interface SweepManifest {
  readonly format: 'descent-sweep/1';
  readonly model: { readonly name: string; readonly file: string };
  readonly base: RunConfig;
  readonly settings: readonly Setting[];
  /** `--optimizer gd,momentum,adam`: the optimizers swept (each run names its own). */
  readonly optimizers?: readonly string[];
  readonly seeds: readonly number[] | null;
  readonly runs: readonly PlannedRun[];
}

export function writeManifest(dir: string, m: SweepManifest): void {
  const file = path.join(dir, 'sweep.json');
  try {
    writeJsonAtomic(file, m);
  } catch (e) {
    throw new CliError(`descent sweep: cannot write ${file}: ${writeFailure(e)}.`);
  }
}

/** One row of summary.csv. */
export interface CollectedRun {
  readonly entry: PlannedRun;
  /**
   * run.json's status; 'missing' when the folder has no run.json (not run yet), 'dead' when it says
   * "running" but no live process holds the folder (killed: resume it).
   */
  readonly status: string;
  /** For 'running': who runs it; for 'dead' and 'failed': why it is not finished. */
  readonly note?: string;
  readonly summary?: RunSummary;
  readonly records: readonly LogRecord[];
}

export interface Collected {
  readonly manifest: SweepManifest;
  readonly runs: readonly CollectedRun[];
  readonly csv: string;
  readonly svg: string;
}

/** A CSV cell: quoted when it holds a comma, quote or newline. */
function cell(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Every digit, so the file is the same bit for bit whenever the numbers are. */
const num = (x: number | undefined): string => (x === undefined ? '' : Number.isNaN(x) ? 'NaN' : String(x));

/**
 * summary.csv: one row per planned run in index order; settings, seed, status, final loss, final
 * metric values (`final_NAME`, `final_NAME[i]`), fitted slope, claims. Nothing that depends on timing or on where the sweep ran.
 */
export function summaryCsv(manifest: SweepManifest, runs: readonly CollectedRun[]): string {
  // setting columns by the names runs use (`adam.lr` is the column `lr` of adam's runs)
  const names: string[] = [];
  for (const s of manifest.settings) {
    const n = s.name.includes('.') ? s.name.slice(s.name.indexOf('.') + 1) : s.name;
    if (!names.includes(n)) names.push(n);
  }
  const swept = manifest.optimizers !== undefined;
  const claimTexts: string[] = [];
  for (const r of runs) for (const c of r.summary?.claims ?? []) if (!claimTexts.includes(c.claim)) claimTexts.push(c.claim);
  // each run's final metric values: one column per scalar metric, per element of a vector one
  const metricColumns: string[] = [];
  for (const r of runs) {
    for (const [k, v] of Object.entries(r.summary?.metrics ?? {})) {
      const cols = typeof v === 'number' ? [k] : v.map((_, i) => `${k}[${i}]`);
      for (const c of cols) if (!metricColumns.includes(c)) metricColumns.push(c);
    }
  }
  const metricValue = (m: Readonly<Record<string, number | readonly number[]>> | undefined, col: string): number | undefined => {
    const at = /^(.*)\[(\d+)\]$/.exec(col);
    const v = m?.[at ? at[1]! : col];
    return v === undefined ? undefined : typeof v === 'number' ? (at ? undefined : v) : at ? v[Number(at[2])] : undefined;
  };
  const header = ['index', 'run', ...(swept ? ['optimizer'] : []), ...names, 'seed', 'status', 'steps', 'final_loss', ...metricColumns.map((c) => `final_${c}`), 'slope', 'claims_passed', 'claims_total', ...claimTexts];
  const lines = [header.map(cell).join(',')];
  for (const r of runs) {
    const s = r.summary;
    const byName = new Map(r.entry.settings.map((x) => [x.name, x.value]));
    const claimCells = claimTexts.map((t) => {
      const c = s?.claims.find((x) => x.claim === t);
      return c ? (c.pass ? 'PASS' : 'FAIL') : '';
    });
    const row = [
      String(r.entry.index), r.entry.dir, ...(swept ? [r.entry.optimizer ?? ''] : []), ...names.map((n) => num(byName.get(n))), r.entry.seed === null ? '' : String(r.entry.seed), r.status,
      s ? String(s.step) : '', num(s?.finalLoss), ...metricColumns.map((c) => num(metricValue(s?.metrics, c))), s?.slope ? num(s.slope.value) : '', s ? String(s.claimsPassed) : '', s ? String(s.claims.length) : '', ...claimCells,
    ];
    lines.push(row.map(cell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** sweep.svg: the loss of every run on log-log axes, one color and legend entry per setting. */
export function sweepSvg(manifest: SweepManifest, runs: readonly CollectedRun[]): string {
  const color = settingPalette();
  const series: Series[] = runs
    .filter((r) => r.records.length > 0)
    .map((r) => {
      const label = r.entry.group || 'default';
      return { x: r.records.map((x) => x.step), y: r.records.map((x) => x.loss), label, color: color(label), width: 1.2 };
    });
  const seeds = manifest.seeds && manifest.seeds.length > 1 ? `, ${manifest.seeds.length} seeds each` : '';
  return renderSvg(series, { title: `${manifest.model.name}: ${runs.length} runs${seeds}`, xLabel: 'step', yLabel: 'loss', xScale: 'log', yScale: 'log' });
}

/** sweep.json of a sweep folder, checked; a missing or damaged one is a CliError naming the folder. */
export function readManifest(dir: string, command: string): SweepManifest {
  const file = path.join(dir, 'sweep.json');
  if (!fs.existsSync(file)) {
    const why = fs.existsSync(dir) ? 'has no sweep.json' : 'does not exist';
    throw new CliError(`descent ${command}: ${dir} ${why}; give the --out folder of a \`descent sweep\` (made by the sweep, or by its --index, --emit or --submit runs).`);
  }
  let manifest: SweepManifest;
  try {
    manifest = readJson<SweepManifest>(file);
  } catch (e) {
    throw new CliError(`descent ${command}: ${file} ${e instanceof ReadRefused ? `cannot be read: it ${e.reason}` : `is not readable JSON (${(e as Error).message})`}.`);
  }
  if (manifest.format !== 'descent-sweep/1' || !Array.isArray(manifest.runs)) throw new CliError(`descent ${command}: ${file} is not a sweep manifest.`);
  return manifest;
}

/** Reads a sweep folder: sweep.json and every planned run's run.json and log.jsonl. */
export function collectSweep(dir: string): Collected {
  const manifest = readManifest(dir, 'collect');
  const runs: CollectedRun[] = manifest.runs.map((entry) => {
    const runDir = path.join(dir, entry.dir);
    let summary: RunSummary | undefined;
    let status = 'missing';
    let note: string | undefined;
    try {
      const rj = readJson<{ status: string; summary?: RunSummary; failure?: { reason?: string } }>(path.join(runDir, 'run.json'));
      status = typeof rj.status === 'string' ? rj.status : 'unreadable';
      summary = rj.summary;
      if (status === 'failed') note = rj.failure?.reason;
    } catch (e) {
      // not run (yet); a run.json that exists but cannot be read is reported as such
      if (fs.existsSync(path.join(runDir, 'run.json'))) {
        status = 'unreadable';
        note = (e as Error).message;
      }
    }
    if (status === 'running') {
      // a killed run leaves "running" behind: only a live holder of the folder's lock is running it
      const holder = liveHolder(runDir);
      if (holder) note = holderText(holder);
      else {
        status = 'dead';
        note = 'run.json says running, but no process holds the folder (killed?); continue it with descent resume';
      }
    }
    let records: LogRecord[] = [];
    try {
      records = readJsonl<LogRecord>(path.join(runDir, 'log.jsonl')).records;
    } catch {
      /* no log */
    }
    return { entry, status, ...(note !== undefined ? { note } : {}), ...(summary ? { summary } : {}), records };
  });
  return { manifest, runs, csv: summaryCsv(manifest, runs), svg: sweepSvg(manifest, runs) };
}

/** The table printed after a sweep or collect: one line per run (the first 40, then a count). */
export function collectedTable(c: Collected, max = 40): string {
  const rows: string[][] = [['#', 'run', 'status', 'final loss', 'slope', 'claims']];
  for (const r of c.runs.slice(0, max)) {
    const s = r.summary;
    rows.push([
      String(r.entry.index), r.entry.id, r.status, s ? fmt(s.finalLoss) : '', s?.slope ? fmt(s.slope.value) : '',
      s ? (s.claims.length ? `${s.claimsPassed}/${s.claims.length}` : '-') : '',
    ]);
  }
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  const lines = rows.map((r) => r.map((x, j) => x.padEnd(widths[j]!)).join('  ').trimEnd());
  if (c.runs.length > max) lines.push(`… and ${c.runs.length - max} more (see summary.csv)`);
  const missing = c.runs.filter((r) => r.status === 'missing').length;
  const failed = c.runs.filter((r) => r.summary && !(r.status === 'completed' && r.summary.allClaimsPass)).length;
  lines.push(`${c.runs.length - missing}/${c.runs.length} runs present${missing ? ` (${missing} missing)` : ''}; ${failed} with a failed claim or an unfinished run`);
  const broken = c.runs.filter((r) => r.status === 'dead' || r.status === 'failed' || r.status === 'unreadable');
  for (const r of broken.slice(0, 10)) lines.push(`${r.status}: ${r.entry.dir}${r.note ? `: ${r.note.split('\n')[0]}` : ''}`);
  if (broken.length > 10) lines.push(`… and ${broken.length - 10} more not finished (see summary.csv)`);
  return lines.join('\n');
}

/**
 * The exit code of a sweep or collect, from its runs: 2 if a run failed or died (run.json
 * "failed", unreadable, or "running" with no live process), else 3 if one diverged, else 1 if one
 * is not finished (missing, running, interrupted), else 0. Claims do not change it (verify does).
 */
export function collectedExit(c: Collected): number {
  const has = (...states: string[]): boolean => c.runs.some((r) => states.includes(r.status));
  if (has('failed', 'dead', 'unreadable')) return EXIT.usage;
  if (has('diverged')) return EXIT.diverged;
  if (c.runs.some((r) => r.status !== 'completed')) return EXIT.failed;
  return EXIT.ok;
}
