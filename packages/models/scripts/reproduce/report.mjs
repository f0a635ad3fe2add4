// The report: every section, then the sampled gradient-EM evaluations, the summary tables and the file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { provenanceTable } from '../provenance.mjs';
import { descent, pool } from './cli.mjs';
import { edgeOfStabilitySection } from './edge-of-stability.mjs';
import { COLORS, curve, figure, figures, powerLine } from './figures.mjs';
import { f2, g, minutes, table } from './format.mjs';
import { gradientEmMixtureSection } from './gradient-em-mixture.mjs';
import { gradientEmPanelSection } from './gradient-em-panel.mjs';
import { gradientEmSection } from './gradient-em.mjs';
import { matrixFactorizationSection } from './matrix-factorization.mjs';
import { reluSection } from './relu.mjs';
import { fitOf, steps, values } from './runs.mjs';
import { scoreMatchingSection } from './score-matching.mjs';
import { BUDGET_SECONDS, DOCS, FIGURES, JOBS, PLAN, SAMPLED_STOPS, t0 } from './settings.mjs';

/**
 * The report as the sections write it: the rows of the claims table (`key`) and the markdown text (`md`).
 * @typedef {{ key: string[][], md: string[] }} Report
 */

/**
 * What the runs took, in seconds (runs/reproduce/timing.json), and the machine's load meanwhile.
 * @typedef {{ sweeps: Record<string, number>, extra: Record<string, number>, runSeconds?: number, loadAverage?: number, cpuSeconds?: number, timeSource?: string }} Timing
 */

/**
 * Every section of the report, in order, into docs/figures/ (emptied first) and one text; the
 * sampled gradient-EM figure is left as a placeholder until its exact evaluations are in (finish).
 */
function sections() {
  fs.mkdirSync(FIGURES, { recursive: true });
  for (const f of fs.readdirSync(FIGURES)) if (/\.(png|svg)$/.test(f)) fs.rmSync(path.join(FIGURES, f));
  /** @type {Report} */
  const out = { key: [], md: [] };
  reluSection(out);
  const gem = gradientEmSection(out);
  gradientEmPanelSection(out);
  gradientEmMixtureSection(out);
  scoreMatchingSection(out);
  matrixFactorizationSection(out);
  edgeOfStabilitySection(out);
  return { ...out, ...gem };
}

/**
 * Writes docs/reproductions.md and its figures from the runs in runs/reproduce/.
 * @param {Timing} timing what the runs took (runs/reproduce/timing.json)
 * @param {boolean} reportOnly whether the runs were made earlier (`--report`): their time counts in the total
 */
export async function finish(timing, reportOnly) {
  const { md, key, stopEvals, gemRows, gemSampled, gem } = sections();
  // the true KL along the sampled trajectory: descent eval gradient-em --params <stop>/run.json
  const evals = await pool(
    stopEvals.map((s) => async () => {
      const r = await descent(['eval', 'gradient-em', '--params', path.join(s.dir, 'run.json'), '--json'], { capture: true });
      if (r.code !== 0) throw new Error(`descent eval gradient-em on ${s.dir} exited ${r.code}`);
      return { step: s.step, kl: JSON.parse(r.stdout).loss };
    }),
    JOBS,
  );
  evals.sort((a, b) => a.step - b.step);
  const quadAt = (/** @type {number} */ t) => {
    const r = gem.find((x) => x.seed === 0).records;
    let best = r[0];
    for (const x of r) if (Math.abs(Math.log(x.step || 1) - Math.log(t)) < Math.abs(Math.log(best.step || 1) - Math.log(t))) best = x;
    return best;
  };
  const evalTable = table(
    ['step', 'true KL of the sampled run (seed 0)', 'quadrature run, seed 0, nearest record'],
    evals.map((e) => [e.step, g(e.kl), `${g(quadAt(e.step).loss)} (step ${quadAt(e.step).step})`]),
  );
  const g0 = gemRows.find((x) => x.seed === 0);
  const gemFig = figure(
    'gem-loss',
    [
      ...gem.map((r) => curve(r.records, 'loss', 'quadrature runs (4 seeds): KL', COLORS[0])),
      { x: evals.map((e) => e.step), y: evals.map((e) => e.kl), label: 'sampled run (seed 0): true KL at its iterates', color: COLORS[1], width: 2.5 },
      ...gemSampled.filter((r) => r.seed === 0).map((r) => ({ x: steps(r.records), y: values(r.records, 'loss').map(Math.abs), label: 'sampled run (seed 0): |batch estimate of the KL|', color: COLORS[4], width: 1 })),
    ],
    {
      title: 'Gradient EM, one true Gaussian, n = 5 equal weights, d = 2', yLabel: 'KL(p* || p)', legendRoom: true,
      fits: [
        { fit: fitOf(g0.r.records, 'loss', 1e4, 1e5), color: '#222222', label: `seed 0: fit t^${f2(g0.slope).replace('−', '-')} on [1e4, 1e5]` },
        powerLine(-0.5, 100, g0.at100, 100, 1e5, 't^-1/2 from step 100: the proven bound\'s shape', '#999999'),
      ],
    },
    'Gradient EM: the quadrature KL falls like t^-2, the sampled run floors',
  );
  const floorKl = Math.min(...evals.filter((e) => e.step >= 1000).map((e) => e.kl));
  key.splice(key.findIndex((row) => row[0].startsWith('Gradient EM, m = 2')), 0, [
    'Gradient EM', 'why quadrature: a sampled run cannot show the rate',
    `true KL along the sampled run (seed 0) ≥ ${g(floorKl)} after step 1000, ${g(evals.at(-1).kl)} at 1e4, where quadrature reaches ${g(quadAt(1e4).loss)}; its batch estimate is negative in part of the late records`,
    'gradient-em-sampled, fresh 2048-batches, 1e4 steps, seeds 0-3 (true KL: seed 0)',
    floorKl > 100 * quadAt(1e4).loss ? 'floors, as expected' : '**does not floor**',
  ]);
  const lateKl = evals.filter((e) => e.step >= 1000).map((e) => e.kl);
  const sampledNote = `\n${evalTable}\n\nUp to a few hundred steps the sampled run follows the quadrature run; from step 1000 on its true KL wanders between ${g(Math.min(...lateKl))} and ${g(Math.max(...lateKl))} instead of falling, while the quadrature run goes from ${g(quadAt(1e3).loss)} to ${g(quadAt(1e4).loss)} over the same steps.`;
  const text = md.join('\n').replace('__SAMPLED_EVALS__', sampledNote).replace('__GEM_FIG__', gemFig);

  // with --report only the report is made now: count the runs' recorded time with it
  const total = (performance.now() - t0) / 1000 + (reportOnly ? (timing.runSeconds ?? 0) : 0);
  const runSeconds = timing.runSeconds ?? NaN;
  const head = `# Reproductions: the four papers, measured with descent

Regenerated by \`pnpm reproduce\` (packages/models/scripts/reproduce.mjs), which builds, runs every
experiment below at its full settings through the \`descent\` CLI (\`descent sweep … --jobs ${JOBS}\`,
\`descent run\`, \`descent eval\`) into \`runs/reproduce/\` (not committed), and writes this file and
\`docs/figures/\` (PNG and SVG, drawn by the CLI's own chart module). Every number here is read back
from the runs' \`log.jsonl\` and \`run.json\` (the score-matching population loss is computed from the
logged means by \`scripts/population.mjs\`, independently of descent); slopes are least-squares fits
of log L against log t (the CLI's \`fitSlope\`, the one the claims use). "File claims" counts the
\`claim\` lines of the model file that pass, as \`descent\` checked them at the end of each run. A
verdict says **differs** or **not reproduced** where our measurement and the paper's statement part,
and each such row has a paragraph in its section saying how.

Last run: ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores (${os.cpus()[0]?.model?.trim() ?? 'unknown CPU'}), Node ${process.version}.
Wall time: ${minutes(runSeconds)} of runs, ${minutes(total)} in all (budget: ${BUDGET_SECONDS / 60} min; planned ~${PLAN.reduce((s, p) => s + p.cpu, 0)} CPU s).
The machine was shared: 1-minute load average ${Number.isFinite(timing.loadAverage) ? timing.loadAverage.toFixed(1) : 'not recorded'} over the runs (2 cores), and the runs took
${Number.isFinite(timing.cpuSeconds) ? `${Math.round(timing.cpuSeconds)} s of CPU (user + system, every process): no less than ${minutes(timing.cpuSeconds / JOBS)} of wall time on two free cores, more where a sweep has a single run` : 'an unrecorded CPU time'}${timing.timeSource ? ` (${timing.timeSource})` : ''}.
${total > BUDGET_SECONDS ? `**Over the ${BUDGET_SECONDS / 60}-minute budget in wall time** on the shared machine; ${Number.isFinite(timing.cpuSeconds) && timing.cpuSeconds / JOBS < BUDGET_SECONDS ? 'inside it in CPU time on two cores.' : 'over it in CPU time too.'}` : ''}

## Where the settings come from

The papers' own experiments were mostly not available to us (papers.md, "How to read this file"):
only the four-layer factorization's full text, and abstracts otherwise. Each setting below is
marked with its source; \`*\` covers the variants of a model.

${provenanceTable(table)}

## Claims beside measurements

${table(['paper', 'claim', 'descent measured', 'settings, seeds', 'verdict'], key)}

Figures: ${figures.map((f) => `[${f}](figures/${f}.png)`).join(', ')}.

`;
  const timingTable = `## Time

${table(
    ['experiment', 'model', 'seeds', 'wall time', 'CPU s planned'],
    [
      ...PLAN.map((p) => [p.what, `\`${p.model}\``, p.seeds, timing.sweeps?.[p.key] !== undefined ? `${timing.sweeps[p.key].toFixed(1)} s` : '—', p.cpu]),
      [`sampled gradient EM stopped early (${SAMPLED_STOPS.length} runs)`, '`gradient-em-sampled`', '0', timing.extra?.['gem-sampled-stops'] !== undefined ? `${timing.extra['gem-sampled-stops'].toFixed(1)} s` : '—', ''],
      ['real-init seeds stalled with det W(0) > 0, to 5e5 steps', '`matrix-factorization`', '', timing.extra?.['mf-long'] !== undefined ? `${timing.extra['mf-long'].toFixed(1)} s` : '—', ''],
      ['theorem-regime seeds not converged by 1e6 with det W(0) > 0, to 5e6 steps', '`matrix-factorization-theorem`', '', timing.extra?.['mft-long'] !== undefined ? `${timing.extra['mft-long'].toFixed(1)} s` : '—', ''],
    ],
  )}

Sweeps run one after another, each with two worker threads; the whole of \`pnpm reproduce\` took
${minutes(total)} (the build before it is not counted: ~1 s when up to date).
`;
  fs.writeFileSync(path.join(DOCS, 'reproductions.md'), `${head}${text}\n${timingTable}`);
  console.log(`\nwrote docs/reproductions.md and ${figures.length} figures (docs/figures/*.png, *.svg)`);
  console.log(`total ${minutes(total)} (runs ${minutes(runSeconds)}; budget ${BUDGET_SECONDS / 60} min)${total > BUDGET_SECONDS ? '  OVER BUDGET' : ''}`);
  if (total > BUDGET_SECONDS) process.exitCode = 1;
}
