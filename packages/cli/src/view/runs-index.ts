// The viewer's table: every run under the served folders (single runs and sweeps), one row each.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJson, restoreNonFinite } from '../runlog.js';
import type { RunSummary } from '../summary.js';

/** One row of the runs table, as sent to the page (non-finite numbers become "NaN"/"Infinity" strings). */
export interface RunRow {
  /** "<root index>/<folder relative to the root>": the run's address in /data/ URLs. */
  readonly key: string;
  /** The folder as shown: the served folder's name and the path below it. */
  readonly dir: string;
  readonly model: string;
  /** Settings that distinguish it (a sweep's --set values, else the run's --set overrides). */
  readonly settings: Readonly<Record<string, number>>;
  /** The settings without the seed, shared by a sweep's seeds: what curves are grouped by. */
  readonly group: string;
  /** The sweep folder (relative key) this run belongs to, if any. */
  readonly sweep: string | null;
  readonly seed: number | null;
  readonly optimizer: string;
  readonly status: string;
  readonly step: number | null;
  readonly steps: number | null;
  readonly finalLoss: number | null;
  readonly slope: number | null;
  readonly claimsPassed: number | null;
  readonly claimsTotal: number | null;
  /** Byte length of log.jsonl when read: the page polls the runs that are still running. */
  readonly logBytes: number;
}

interface RunJsonView {
  readonly status?: string;
  readonly model?: { readonly name?: string };
  readonly config?: { readonly overrides?: Readonly<Record<string, number>> };
  readonly settings?: { readonly seed?: number; readonly steps?: number; readonly optimizer?: { readonly name?: string; readonly args?: Readonly<Record<string, number>> } };
  readonly sweep?: { readonly group?: string; readonly settings?: readonly { name: string; value: number }[]; readonly seed?: number | null };
  readonly summary?: RunSummary;
}

/** Folders deeper than this below a served folder are not searched for runs. */
const MAX_DEPTH = 4;

/** run.json contents cached by file identity (size and mtime), so polling re-reads only what changed. */
const cache = new Map<string, { readonly stamp: string; readonly value: RunJsonView | null }>();

function readRunJson(file: string): RunJsonView | null {
  let stamp: string;
  try {
    const st = fs.statSync(file);
    stamp = `${st.size}:${st.mtimeMs}`;
  } catch {
    return null;
  }
  const hit = cache.get(file);
  if (hit && hit.stamp === stamp) return hit.value;
  let value: RunJsonView | null = null;
  try {
    value = readJson<RunJsonView>(file);
  } catch {
    /* being replaced, or not a run.json: shown as unknown */
  }
  cache.set(file, { stamp, value });
  return value;
}

/** The last whole line of log.jsonl (a running run's latest step and loss), read from the file's tail. */
function lastRecord(file: string, size: number): { step?: unknown; loss?: unknown } | null {
  if (size === 0) return null;
  const fd = fs.openSync(file, 'r');
  try {
    const n = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(n);
    fs.readSync(fd, buf, 0, n, size - n);
    const lines = buf.toString('utf8').split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
      if (i === lines.length - 1) continue; // the text after the last newline is not a whole line
      try {
        return restoreNonFinite(JSON.parse(lines[i]!) as { step?: unknown; loss?: unknown });
      } catch {
        /* a cut first line: look further up */
      }
    }
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

const num = (v: unknown): number | null => (typeof v === 'number' ? v : typeof v === 'string' && ['NaN', 'Infinity', '-Infinity'].includes(v) ? Number(v) : null);

function rowOf(rootIndex: number, rootName: string, rel: string, abs: string, sweep: string | null): RunRow {
  const rj = readRunJson(path.join(abs, 'run.json'));
  const logFile = path.join(abs, 'log.jsonl');
  let logBytes = 0;
  try {
    logBytes = fs.statSync(logFile).size;
  } catch {
    /* no log yet */
  }
  const s = rj?.summary;
  const last = s ? null : lastRecord(logFile, logBytes);
  const settings: Record<string, number> = {};
  if (rj?.sweep?.settings) for (const x of rj.sweep.settings) settings[x.name] = x.value;
  else Object.assign(settings, rj?.config?.overrides ?? {});
  const group = rj?.sweep?.group ?? Object.entries(settings).map(([k, v]) => `${k}=${v}`).join(' ');
  const opt = rj?.settings?.optimizer;
  const lr = opt?.args?.['lr'] ?? opt?.args?.['dt'];
  return {
    key: `${rootIndex}/${rel}`,
    dir: rel === '' ? rootName : `${rootName}/${rel}`,
    model: rj?.model?.name ?? path.basename(abs),
    settings,
    group,
    sweep,
    seed: rj?.settings?.seed ?? null,
    optimizer: opt?.name ? `${opt.name}${lr !== undefined ? ` lr=${lr}` : ''}` : '',
    status: rj?.status ?? (logBytes > 0 ? 'running' : 'missing'),
    step: s ? s.step : num(last?.step),
    steps: s?.steps ?? rj?.settings?.steps ?? null,
    finalLoss: s ? num(s.finalLoss) : num(last?.loss),
    slope: s?.slope ? s.slope.value : null,
    claimsPassed: s ? s.claimsPassed : null,
    claimsTotal: s ? s.claims.length : null,
    logBytes,
  };
}

/**
 * Every run below the served folders: a folder with run.json or log.jsonl is a run; a folder with
 * sweep.json is a sweep, and the run folders below it are its runs. Symbolic
 * links are not followed, so the table never lists a folder outside the served ones.
 */
export function indexRuns(roots: readonly string[]): RunRow[] {
  const rows: RunRow[] = [];
  roots.forEach((root, rootIndex) => {
    const rootName = path.basename(path.resolve(root));
    const visit = (rel: string, depth: number, sweep: string | null): void => {
      const abs = path.join(root, rel);
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(abs, { withFileTypes: true });
      } catch {
        return;
      }
      const names = new Set(entries.map((e) => e.name));
      if (names.has('run.json') || names.has('log.jsonl')) {
        rows.push(rowOf(rootIndex, rootName, rel, abs, sweep));
        return;
      }
      const isSweep = names.has('sweep.json');
      if (depth >= MAX_DEPTH) return;
      const dirs = entries.filter((e) => e.isDirectory() && !e.isSymbolicLink()).map((e) => e.name).sort();
      for (const d of dirs) visit(rel === '' ? d : `${rel}/${d}`, depth + 1, isSweep ? `${rootIndex}/${rel}` : sweep);
    };
    visit('', 0, null);
  });
  return rows;
}
