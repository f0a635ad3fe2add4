// A sweep's results from its run folders: summary.csv (no timings, rows by index) and sweep.svg.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Setting } from './args.js';
import { CliError } from './errors.js';
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
  readonly seeds: readonly number[] | null;
  readonly runs: readonly PlannedRun[];
}

export function writeManifest(dir: string, m: SweepManifest): void {
  writeJsonAtomic(path.join(dir, 'sweep.json'), m);
}

/** One row of summary.csv. */
export interface CollectedRun {
  readonly entry: PlannedRun;
  /** 'missing' when the folder has no run.json (not run yet, or still running on a cluster). */
  readonly status: string;
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
 * summary.csv: one row per planned run in index order; settings, seed, status, final loss,
 * fitted slope, claims. Nothing that depends on timing or on where the sweep ran.
 */
export function summaryCsv(manifest: SweepManifest, runs: readonly CollectedRun[]): string {
  const names = manifest.settings.map((s) => s.name);
  const claimTexts: string[] = [];
  for (const r of runs) for (const c of r.summary?.claims ?? []) if (!claimTexts.includes(c.claim)) claimTexts.push(c.claim);
  const header = ['index', 'run', ...names, 'seed', 'status', 'steps', 'final_loss', 'slope', 'claims_passed', 'claims_total', ...claimTexts];
  const lines = [header.map(cell).join(',')];
  for (const r of runs) {
    const s = r.summary;
    const byName = new Map(r.entry.settings.map((x) => [x.name, x.value]));
    const claimCells = claimTexts.map((t) => {
      const c = s?.claims.find((x) => x.claim === t);
      return c ? (c.pass ? 'PASS' : 'FAIL') : '';
    });
    const row = [
      String(r.entry.index), r.entry.dir, ...names.map((n) => num(byName.get(n))), r.entry.seed === null ? '' : String(r.entry.seed), r.status,
      s ? String(s.step) : '', num(s?.finalLoss), s?.slope ? num(s.slope.value) : '', s ? String(s.claimsPassed) : '', s ? String(s.claims.length) : '', ...claimCells,
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
    throw new CliError(`descent ${command}: ${file} is not readable JSON (${(e as Error).message}).`);
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
    try {
      const rj = readJson<{ status: string; summary?: RunSummary }>(path.join(runDir, 'run.json'));
      status = rj.status;
      summary = rj.summary;
    } catch {
      /* not run (yet) */
    }
    let records: LogRecord[] = [];
    try {
      records = readJsonl<LogRecord>(path.join(runDir, 'log.jsonl')).records;
    } catch {
      /* no log */
    }
    return { entry, status, ...(summary ? { summary } : {}), records };
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
  return lines.join('\n');
}
