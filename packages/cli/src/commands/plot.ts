// `descent plot RUN_DIR... [--metric NAME] [--out FILE.svg|.png]`: overlay runs (default ./plot.svg).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliError, EXIT, didYouMean, suggest } from '../errors.js';
import { writeFileOrFail } from '../execute.js';
import type { CommandArgs, Io } from '../io.js';
import { svgToPng } from '../plot/png.js';
import { renderSvg, type Series } from '../plot/svg.js';
import { ReadRefused } from '../bounded-read.js';
import { readJson, readJsonl, type LogRecord } from '../runlog.js';
import { tailFit } from '../summary.js';

interface PlotRun {
  readonly label: string;
  readonly model: string;
  readonly records: readonly LogRecord[];
}

/** The runs of a folder: itself if it holds log.jsonl, or a sweep's run folders. */
function runsOf(dir: string): PlotRun[] {
  const log = path.join(dir, 'log.jsonl');
  const readRun = (d: string, label: string): PlotRun => {
    let model = path.basename(d);
    try {
      model = readJson<{ model?: { name?: string } }>(path.join(d, 'run.json')).model?.name ?? model;
    } catch {
      /* a log without run.json is fine */
    }
    const file = path.join(d, 'log.jsonl');
    try {
      return { label, model, records: readJsonl<LogRecord>(file).records };
    } catch (e) {
      // a FIFO, a device or an oversized file is refused unread
      throw new CliError(`descent plot: cannot read ${file}: ${e instanceof ReadRefused ? `it ${e.reason}` : (e as Error).message.replace(`${file}: `, '')}.`);
    }
  };
  if (fs.existsSync(log)) return [readRun(dir, path.basename(path.resolve(dir)))];
  const sweep = path.join(dir, 'sweep.json');
  if (fs.existsSync(sweep)) {
    let m: { runs?: { dir: string; group: string; id: string }[] };
    try {
      m = readJson(sweep);
    } catch (e) {
      throw new CliError(`descent plot: cannot read ${sweep}: ${e instanceof ReadRefused ? `it ${e.reason}` : (e as Error).message}.`);
    }
    if (!Array.isArray(m.runs)) throw new CliError(`descent plot: ${sweep} is not a sweep manifest (it lists no runs).`);
    return m.runs.filter((r) => fs.existsSync(path.join(dir, r.dir, 'log.jsonl'))).map((r) => readRun(path.join(dir, r.dir), r.group || r.id));
  }
  const why = fs.existsSync(dir) ? 'has no log.jsonl (nor sweep.json)' : 'does not exist';
  throw new CliError(`descent plot: ${dir} ${why}; give run folders made by \`descent run\` or a sweep folder.`);
}

/** The curves of one run for `metric` (NAME, NAME[i], or a vector NAME: one curve per component). */
function curves(run: PlotRun, metric: string | undefined, label: string): Series[] {
  const x = run.records.map((r) => r.step);
  if (!metric || metric === 'loss') return [{ x, y: run.records.map((r) => r.loss), label }];
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?$/.exec(metric);
  if (!m) throw new CliError(`descent plot: --metric "${metric}" is not a metric name (NAME or NAME[i]).`);
  const name = m[1]!;
  const known = new Set<string>();
  for (const r of run.records) for (const k of Object.keys(r.metrics)) known.add(k);
  if (!known.has(name)) {
    throw new CliError(`descent plot: the run ${run.label} has no metric "${name}".${didYouMean(suggest(name, [...known]))} Its metrics: ${known.size ? [...known].join(', ') : 'none'} (and loss).`);
  }
  const first = run.records.find((r) => r.metrics[name] !== undefined)?.metrics[name];
  const value = (r: LogRecord, i: number | null): number => {
    const v = r.metrics[name];
    if (v === undefined) return NaN;
    if (typeof v === 'number') return i === null ? v : NaN;
    return i === null ? NaN : (v[i] ?? NaN);
  };
  if (m[2] !== undefined || typeof first === 'number') {
    const i = m[2] === undefined ? null : Number(m[2]);
    if (i !== null && Array.isArray(first) && i >= first.length) throw new CliError(`descent plot: ${name}[${i}] is out of range: ${name} has ${first.length} components.`);
    return [{ x, y: run.records.map((r) => value(r, i)), label }];
  }
  const n = Array.isArray(first) ? first.length : 0;
  return Array.from({ length: n }, (_, i) => ({ x, y: run.records.map((r) => value(r, i)), label: `${label} ${name}[${i}]` }));
}

export async function plotCommand(a: CommandArgs, io: Io): Promise<number> {
  const out = a.flags.out ?? 'plot.svg';
  const ext = path.extname(out).toLowerCase();
  if (ext !== '.svg' && ext !== '.png') throw new CliError(`descent plot: --out ${out} should end in .svg or .png.`);
  const runs = a.positionals.flatMap(runsOf);
  if (runs.length === 0) throw new CliError(`descent plot: no runs with a log found in ${a.positionals.join(', ')}.`);
  const metric = a.flags.metric;
  const series = runs.flatMap((r) => curves(r, metric, runs.length === 1 ? (metric ?? 'loss') : r.label));
  const ys = series.flatMap((s) => s.y).filter(Number.isFinite);
  const yScale = ys.length > 0 && ys.every((y) => y > 0) ? 'log' : 'linear';
  const models = [...new Set(runs.map((r) => r.model))];
  const title = a.flags.title ?? (models.length === 1 ? models[0]! : `${runs.length} runs`);
  // one run's loss gets its last-decade fit, as in the run's own loss.svg
  const fit = runs.length === 1 && (!metric || metric === 'loss') && yScale === 'log' ? tailFit(runs[0]!.records) : null;
  const svg = renderSvg(series, { title, xLabel: 'step', yLabel: metric ?? 'loss', xScale: 'log', yScale, fits: fit ? [{ fit }] : [] });
  writeFileOrFail(out, ext === '.png' ? svgToPng(svg, 2) : svg, 'plot');
  io.stdout(`wrote ${out} (${runs.length} run${runs.length === 1 ? '' : 's'}, ${metric ?? 'loss'}, ${yScale === 'log' ? 'log-log' : 'log-linear'} axes)\n`);
  return EXIT.ok;
}
