// Sweep planning: settings × seeds expanded to an ordered run list, --plan text, --index.
import type { Setting } from './args.js';
import { CliError } from './errors.js';
import { fmtExact } from './format.js';

/** One run of a sweep. The same sweep always gives the same list, in the same order. */
export interface PlannedRun {
  /** Position in the list: what `--index` selects and SLURM_ARRAY_TASK_ID gives. */
  readonly index: number;
  /** The settings of this run, in the order the sweep gave them. */
  readonly settings: readonly { readonly name: string; readonly value: number }[];
  /** null when the sweep gives no --seeds (the model's own seed is used). */
  readonly seed: number | null;
  /** The optimizer of this run, when the sweep lists several (`--optimizer gd,momentum,adam`). */
  readonly optimizer?: string;
  /** "n=2 lr=0.1 seed=3": the run's settings, for tables and legends. */
  readonly id: string;
  /** "n=2 lr=0.1": the settings without the seed; runs differing only in seed share it (and a color). */
  readonly group: string;
  /** Folder name inside the sweep directory: "007_n=2_lr=0.1_seed=3". */
  readonly dir: string;
}

/** The most runs one sweep may plan (each gets a folder; the plan itself is held in memory and in sweep.json). */
export const MAX_PLANNED_RUNS = 1_000_000;

/**
 * The cartesian product of the settings' values and the seeds. The first --set varies slowest and
 * the seeds fastest, values in the order written, so entry i is the same on every machine.
 * @example planSweep([{ name: 'n', values: [1, 2] }], [1, 2]).map((r) => r.id)
 *   // ['n=1 seed=1', 'n=1 seed=2', 'n=2 seed=1', 'n=2 seed=2']
 */
export function planSweep(settings: readonly Setting[], seeds: readonly number[] | null, optimizers: readonly string[] | null = null): PlannedRun[] {
  const names = new Set<string>();
  for (const s of settings) {
    if (names.has(s.name)) throw new CliError(`descent sweep: --set ${s.name} is given twice.`);
    names.add(s.name);
    if (s.values.length === 0) throw new CliError(`descent sweep: --set ${s.name} has no values.`);
  }
  const seedList: readonly (number | null)[] = seeds && seeds.length > 0 ? seeds : [null];
  // the optimizer varies slowest; `adam.lr` applies to adam alone, and to it replaces a plain `lr`
  const groups = (optimizers ?? [null]).map((optimizer) => {
    const own = settings.filter((s) => optimizer !== null && s.name.startsWith(`${optimizer}.`)).map((s) => ({ ...s, name: s.name.slice(s.name.indexOf('.') + 1) }));
    const mine = [...settings.filter((s) => !s.name.includes('.') && !own.some((o) => o.name === s.name)), ...own];
    return { optimizer, mine };
  });
  // counted before any run is listed: a 9-million-entry product is refused, not built
  const planned = groups.reduce((n, g) => n + g.mine.reduce((m, s) => m * s.values.length, 1), 0) * seedList.length;
  if (planned > MAX_PLANNED_RUNS) {
    const factors = [
      ...(optimizers && optimizers.length > 1 ? [`${optimizers.length} optimizers`] : []),
      ...settings.map((s) => `${s.values.length} values of ${s.name}`),
      ...(seeds && seeds.length > 0 ? [`${seeds.length} seeds`] : []),
    ];
    throw new CliError(`descent sweep: the sweep has ${planned.toLocaleString('en-US')} runs (${factors.join(' × ')}), more than the ${MAX_PLANNED_RUNS.toLocaleString('en-US')} one sweep may hold; split it into several sweeps.`);
  }
  const plans = groups.map(({ optimizer, mine }) => {
    let combos: { name: string; value: number }[][] = [[]];
    for (const s of mine) combos = combos.flatMap((c) => s.values.map((value) => [...c, { name: s.name, value }]));
    return { optimizer, combos };
  });
  const total = plans.reduce((n, p) => n + p.combos.length, 0) * seedList.length;
  const width = String(Math.max(0, total - 1)).length;
  const runs: PlannedRun[] = [];
  for (const { optimizer, combos } of plans) {
    for (const combo of combos) {
      for (const seed of seedList) {
        const index = runs.length;
        const parts = [...(optimizer === null ? [] : [`optimizer=${optimizer}`]), ...combo.map(({ name, value }) => `${name}=${fmtExact(value)}`)];
        const group = parts.join(' ');
        const withSeed = seed === null ? parts : [...parts, `seed=${seed}`];
        const id = withSeed.join(' ') || 'default';
        const dir = [String(index).padStart(width, '0'), ...withSeed].join('_');
        runs.push({ index, settings: combo, seed, id, group, dir, ...(optimizer === null ? {} : { optimizer }) });
      }
    }
  }
  return runs;
}

/** The run at `--index I`, or a CliError saying the valid range. */
export function selectRun(runs: readonly PlannedRun[], index: number): PlannedRun {
  const run = runs[index];
  if (!Number.isInteger(index) || !run) {
    throw new CliError(`descent sweep: --index ${index} is out of range: this sweep has ${runs.length} run${runs.length === 1 ? '' : 's'} (0-${runs.length - 1}).`);
  }
  return run;
}

/** The `--plan` listing: a header with the product, then one line per run with its folder. */
export function planText(runs: readonly PlannedRun[], settings: readonly Setting[], seeds: readonly number[] | null, out?: string, optimizers: readonly string[] | null = null): string {
  const factors = [...(optimizers ? [`optimizer ∈ {${optimizers.join(', ')}}`] : []), ...settings.map((s) => `${s.name} ∈ {${s.values.map(fmtExact).join(', ')}}`)];
  if (seeds && seeds.length > 0) factors.push(`${seeds.length} seed${seeds.length === 1 ? '' : 's'}`);
  const header = `${runs.length} run${runs.length === 1 ? '' : 's'}${factors.length ? `: ${factors.join(' × ')}` : ''}`;
  const iw = String(Math.max(0, runs.length - 1)).length;
  const idw = runs.reduce((w, r) => Math.max(w, r.id.length), 0);
  const prefix = out ? `${out.replace(/\/+$/, '')}/` : '';
  return [header, ...runs.map((r) => `${String(r.index).padStart(iw)}  ${r.id.padEnd(idw)}  ${prefix}${r.dir}`)].join('\n');
}
