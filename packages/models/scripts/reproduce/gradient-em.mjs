// The gradient-EM section of the report, part one: the t^-2 rate by quadrature and the sampled run that floors.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { f3, g, range, table, within } from './format.mjs';
import { claimsPassed, fitOf, last, loadSweep, slope, steps, values } from './runs.mjs';
import { OUT, PLAN, SAMPLED_STOPS } from './settings.mjs';

/**
 * Gradient EM with one true Gaussian: the quadrature runs, the exact case and the sampled runs.
 * @param {import('./report.mjs').Report} out the claims table's rows (`key`) and the markdown (`md`), appended to
 */
export function gradientEmSection(out) {
  const { key, md } = out;
  const gemAll = loadSweep('gem');
  const gem = gemAll.filter((r) => r.settings.n === 5);
  const gemExact = loadSweep('gem-exact');
  const gemSampled = loadSweep('gem-sampled');
  const gemRows = gem.map((r) => {
    const L = values(r.records, 'loss');
    const at = (/** @type {number} */ t) => L[steps(r.records).findIndex((s) => s >= t)];
    return { seed: r.seed, r, slope: slope(r.records, 'loss', 1e4, 1e5), slope2: slope(r.records, 'loss', 1e3, 1e4), spread: slope(r.records, 'spread', 1e4, 1e5), final: L.at(-1), at100: at(100), center: last(r.records, 'center'), claims: claimsPassed(r) };
  });
  // the O(1/sqrt(t)) bound, anchored where it is most generous to the bound: at step 100
  const boundRows = gemRows.map((x) => ({ ...x, bound: x.at100 * Math.sqrt(100 / 1e5) }));
  const gemExactRates = gemExact.map((r) => fitOf(r.records, 'loss', 10, 100, 'rate')?.slope ?? NaN);
  const stops = [...SAMPLED_STOPS.map((k) => path.join(OUT, 'gem-sampled-stops', `steps=${k}`)), gemSampled.find((r) => r.seed === 0).dir];
  const stopEvals = stops.map((dir) => {
    const run = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8'));
    return { dir, step: run.settings.steps };
  });
  const sampledRows = gemSampled.map((r) => ({ seed: r.seed, r, claims: claimsPassed(r), minLoss: Math.min(...values(r.records, 'loss').filter((_, i) => r.records[i].step >= 1000)), neg: values(r.records, 'loss').filter((v, i) => r.records[i].step >= 1000 && v < 0).length, n1000: r.records.filter((x) => x.step >= 1000).length, center: last(r.records, 'center'), minCenter: Math.min(...values(r.records, 'center').filter((_, i) => r.records[i].step >= 1000)) }));
  const gemOk = gemRows.every((x) => within(x.slope, -2, 0.3));
  key.push([
    'Gradient EM, m = 1 (2407.00490)', 'KL = O(t^−1/2), an upper bound',
    `slope ${range(gemRows.map((x) => x.slope))} over [1e4, 1e5]; KL(1e5) = ${range(gemRows.map((x) => x.final), g)}, ${range(boundRows.map((x) => x.bound / x.final), (v) => g(v, 2))}× below t^−1/2 from step 100`,
    `n = 5, d = 2, equal weights, quadrature(20), seeds ${PLAN.find((p) => p.key === 'gem').seeds}`,
    gemOk ? 'consistent: t^−2 (−2 ± 0.3) is far inside the bound' : '**outside −2 ± 0.3**',
  ]);
  key.push([
    'Gradient EM', 'n = 1: linear convergence; here rate 2 ln(1 − lr) = ' + f3(2 * Math.log(0.9)),
    `rate ${range(gemExactRates, f3)} per step over [10, 100]`, `gradient-em-exact, seeds ${PLAN.find((p) => p.key === 'gem-exact').seeds}`,
    gemExactRates.every((x) => within(x, 2 * Math.log(0.9), 0.01)) ? 'agrees' : '**differs**',
  ]);
  md.push(`## 2. Gradient EM for over-parameterized Gaussian mixtures (arXiv 2407.00490, 2506.06584)

**Papers.** Xu, Fazel and Du, "Toward Global Convergence of Gradient EM for Over-Parameterized
Gaussian Mixture Models" (NeurIPS 2024): one true Gaussian, n > 1 students, global convergence with
KL = O(1/√t). Zhou, Xu, Fazel and Du, "Global Convergence of Gradient EM for Over-Parameterized
Gaussian Mixtures" (NeurIPS 2025): m well-separated true components, students initialized from the
data, every true mean recovered.

### m = 1: the rate

**Settings.** \`gradient-em.loss\`: truth N(0, I₂), n = 5 students with fixed equal weights 1/5,
μ_i(0) ~ N(0, I), GD (= gradient EM) lr 1, 10⁵ steps, the KL computed exactly by Gauss–Hermite
quadrature with 20 nodes per dimension; seeds ${PLAN.find((p) => p.key === 'gem').seeds}.

${table(
    ['seed', 'KL slope over [1e4, 1e5]', 'over [1e3, 1e4]', 'max_i |μ_i| slope over [1e4, 1e5]', 'KL at 1e5', 'KL(100)·(100/1e5)^½ (the t^−½ shape)', '|Σ π_i μ_i| at 1e5', 'file claims'],
    boundRows.map((x) => [x.seed, f3(x.slope), f3(x.slope2), f3(x.spread), g(x.final), g(x.bound), g(x.center), x.claims]),
  )}

**Where our measurement and the theorem differ.** The theorem proves KL = O(t^−1/2). That is an upper
bound, and with equal weights the measured decay is much faster: slope ${range(gemRows.map((x) => x.slope), f3)} (the
issue's window −2 ± 0.3 holds for every seed), against the bound's exponent −0.5. In numbers: from
step 100 to 10⁵ a t^−1/2 law would lower the KL by a factor √1000 ≈ 32; it fell by
${range(gemRows.map((x) => x.at100 / x.final), (v) => g(v, 2))}. The mechanism (research notes, [D]):
the mixture's mean Σ π_i μ_i collapses exponentially (to ${range(gemRows.map((x) => x.center), g)} here), the spread of
the means closes like t^−1/2 (slope ${range(gemRows.map((x) => x.spread), f3)}), and the KL is fourth order in the
spread: (t^−1/2)⁴ = t^−2. So t^−2 is what equal-weight gradient EM does on this problem, well inside
what the paper proves; it is not the theorem's exponent, and we do not claim the paper measured it.

**Exact parameterization, n = 1** (\`gradient-em-exact.loss\`, lr 0.1, 250 steps): KL = |μ|²/2 and
each step multiplies μ by (1 − lr), so log KL falls linearly at 2 ln(0.9) = ${f3(2 * Math.log(0.9))} per step;
measured ${range(gemExactRates, f3)} over [10, 100], final KL ${range(gemExact.map((r) => r.records.at(-1).loss), g)}.

**Sampled instead of quadrature** (\`gradient-em-sampled.loss\`: the same problem, a fresh batch of
2048 samples every step, 10⁴ steps). The batch estimate of the KL stops carrying information: after
step 1000 it is negative in ${range(sampledRows.map((x) => x.neg / x.n1000), (v) => `${Math.round(v * 100)}%`)} of the records (a KL cannot be), and the
mixture mean stops at |Σ π_i μ_i| ≥ ${range(sampledRows.map((x) => x.minCenter), g)} where quadrature drives it to ~1e−9
or below. To see the true KL along the sampled trajectory, the seed-0 run was also stopped at
${SAMPLED_STOPS.join(', ')} steps (same seed, same sample stream, so these are the iterates of the 10⁴-step run)
and each stop evaluated exactly with \`descent eval gradient-em --params run.json\` (quadrature):
__SAMPLED_EVALS__

__GEM_FIG__

*KL against step, log-log. Blue: quadrature runs (4 seeds), with the measured t^−2 fit and the
t^−1/2 shape of the proven bound for comparison (both dashed). Orange: the true KL (by quadrature) at
the iterates of the sampled run, seed 0. Yellow: that run's own batch estimate of the KL, in
absolute value (${range(sampledRows.map((x) => x.neg / x.n1000), (v) => `${Math.round(v * 100)}%`)} of its late records are negative, which a log axis cannot show).*
`);
  return { stopEvals, gemRows, gemSampled, gem };
}
