// The gradient-EM section of the report, part three: mixtures of two and three true components.
import { COLORS, curve, figure } from './figures.mjs';
import { f2, f3, g, range, table, within } from './format.mjs';
import { claimsPassed, last, loadSweep, steps, values } from './runs.mjs';
import { PLAN } from './settings.mjs';

/** @import { SweepRun } from './runs.mjs' */

/**
 * Gradient EM with m = 2 and m = 3 true components.
 * @param {import('./report.mjs').Report} out the claims table's rows (`key`) and the markdown (`md`), appended to
 */
export function gradientEmMixtureSection(out) {
  const { key, md } = out;
  const gemMix = loadSweep('gem-mixture');
  const mixRows = gemMix.map((r) => {
    /** @type {number[]} */
    const pi = r.run.params.pi;
    /** @type {number[][]} */
    const mu = r.run.params.mu;
    const heavy = pi.map((p, i) => ({ p, x1: mu[i][0] })).filter((s) => s.p > 0.01).sort((a, b) => a.x1 - b.x1);
    return { seed: r.seed, r, fit: last(r.records, 'fit'), m0: last(r.records, 'mass[0]'), m1: last(r.records, 'mass[1]'), loss: r.records.at(-1).loss, heavy, claims: claimsPassed(r), centre: NaN, fit300: values(r.records, 'fit')[steps(r.records).findIndex((s) => s >= 300)] };
  });
  const centres = (/** @type {SweepRun} */ r) => r.records.at(-1).metrics.centre;
  for (const x of mixRows) x.centre = Math.max(...centres(x.r));
  const mixOk = mixRows.every((x) => x.fit < 0.15 && x.centre < 0.03 && within(x.m0, 0.3, 0.03) && within(x.m1, 0.7, 0.03));
  // n = m: the students start from two data points, which land in the same true component with
  // probability 0.3² + 0.7² = 0.58
  const mix2Rows = loadSweep('gem-mixture-n2').map((r) => {
    /** @type {number[]} */
    const first0 = r.records[0].metrics.first;
    const side = (/** @type {number} */ v) => (v > 0 ? '+' : '−');
    return {
      seed: r.seed, r, start: first0.map((v) => `${f2(v)}`).join(', '), same: first0.every((v) => v > 0) || first0.every((v) => v < 0), sides: first0.map(side).join(''),
      fit: last(r.records, 'fit'), centre: Math.max(...centres(r)), m0: last(r.records, 'mass[0]'), m1: last(r.records, 'mass[1]'), loss: r.records.at(-1).loss, claims: claimsPassed(r),
      fitAt: (/** @type {number} */ t) => values(r.records, 'fit')[steps(r.records).findIndex((s) => s >= t)],
    };
  });
  const recovered2 = mix2Rows.filter((x) => x.fit < 0.15);
  const sameStart = mix2Rows.filter((x) => x.same);
  const contrastRow = ([
    'Gradient EM, m = 2, n = m', 'n = Ω(m log m) students (every true component gets a neighbour at the start); n ≈ m as the contrast',
    `n = 2: ${recovered2.length}/${mix2Rows.length} seeds recover both true means (fit < 0.15), ${sameStart.filter((x) => x.fit < 0.15).length} of the ${sameStart.length} that start with both students in the same true component among them; n = 10: ${mixRows.filter((x) => x.fit < 0.15).length}/${mixRows.length}`,
    `as above, n = 2, seeds ${PLAN.find((p) => p.key === 'gem-mixture-n2').seeds}`,
    recovered2.length < mix2Rows.length ? 'agrees: n = m fails where n = 10 does not' : '**not reproduced**: n = m recovers both means here too',
  ]);
  key.push([
    'Gradient EM, m = 2 (2506.06584)', 'every true mean recovered',
    `max over true means of the distance to the nearest student: ${range(mixRows.map((x) => x.fit), g)}; weighted centre of the students near each true mean off by ${range(mixRows.map((x) => x.centre), g)} (\`final(centre[*]) < 0.03\`); weight near μ*₁, μ*₂: ${range(mixRows.map((x) => x.m0), f3)}, ${range(mixRows.map((x) => x.m1), f3)} (true 0.3, 0.7)`,
    `d = 10, n = 10 from the data, fresh 8192-batches, 2000 steps, seeds ${PLAN.find((p) => p.key === 'gem-mixture').seeds}`,
    mixOk ? 'agrees' : '**differs**',
  ]);
  key.push(contrastRow);
  // m = 3: which true component each student starts nearest to
  const M3 = [[3, 0], [-3, 0], [0, 5]];
  const m3Rows = [...loadSweep('gem-mixture-m3'), ...loadSweep('gem-mixture-m3-n3')].map((r) => {
    const m0 = r.records[0].metrics;
    const n = m0.first.length;
    const nearest = m0.first.map((/** @type {number} */ x1, /** @type {number} */ i) => {
      const x2 = m0.second[i];
      const dist = M3.map(([a, b]) => Math.hypot(x1 - a, x2 - b));
      return dist.indexOf(Math.min(...dist));
    });
    const masses = r.records.at(-1).metrics.mass;
    return { n, seed: r.seed, r, start: nearest.map((/** @type {number} */ k) => k + 1).join(', '), covered: new Set(nearest).size === 3, fit: last(r.records, 'fit'), masses, claims: claimsPassed(r) };
  });
  const m3Small = m3Rows.filter((x) => x.n === 3);
  const m3Large = m3Rows.filter((x) => x.n === 10);
  const m3Fail = m3Small.filter((x) => x.fit >= 0.15);
  const m3Contrast = `n = 10: ${m3Large.filter((x) => x.fit < 0.15).length} of ${m3Large.length} seeds recover every true mean. n = 3: ${m3Small.length - m3Fail.length} of ${m3Small.length}; ${m3Fail.length ? `the ${m3Fail.length} failure(s) (seed ${m3Fail.map((x) => x.seed).join(', ')}) ${m3Fail.every((x) => !x.covered) ? 'all started with a true component that had no student' : 'include runs whose every component had a student at the start'}, and end with a true mean at distance ${range(m3Fail.map((x) => x.fit), f2)} from every student (its mass 0). ` : ''}${m3Small.filter((x) => !x.covered && x.fit < 0.15).length} run(s) without a student in some component still recovered it. ${m3Fail.length && m3Large.every((x) => x.fit < 0.15) ? 'So with n = m the recovery fails in some draws, where the over-parameterized n = 10 does not: the role the theorem gives n = Ω(m log m).' : ''}`;
  key.push([
    'Gradient EM, m = 3, n = m', 'n = Ω(m log m) against n = m, where n = m can miss a component',
    `n = 3: ${m3Small.length - m3Fail.length}/${m3Small.length} seeds recover every true mean (${m3Small.filter((x) => !x.covered).length} start with a component without a student); n = 10: ${m3Large.filter((x) => x.fit < 0.15).length}/${m3Large.length}`,
    `gradient-em-mixture-m3 (ours), d = 10, seeds as in §2`,
    m3Fail.length > 0 && m3Large.every((x) => x.fit < 0.15) ? 'agrees: n = m fails in some draws, n = 10 in none' : m3Fail.length === 0 ? '**not reproduced**: n = m recovers every mean here too' : '**differs**: n = 10 fails too',
  ]);
  md.push(`### m = 2: every true mean recovered

**Settings.** \`gradient-em-mixture.loss\`, the follow-up paper's d = 10 protocol: truth
0.3 N(3e₁, I) + 0.7 N(−3e₁, I), n = 10 students with means drawn from the data and weights 1/n;
each step a gradient step on the means (lr 0.05) and the EM update of the weights, on a fresh batch
of 8192 samples; 2000 steps; seeds ${PLAN.find((p) => p.key === 'gem-mixture').seeds}. \`fit\` = max over the true means of the distance
to the nearest student mean; \`mass[a]\` = total weight of the students within 1 of μ*_a.

${table(
    ['seed', 'fit at step 300', 'fit at 2000', 'centre error, worst true mean', 'mass near μ*₁ (0.3)', 'mass near μ*₂ (0.7)', 'students with weight > 0.01: (first coordinate, weight)', 'KL estimate at 2000', 'file claims'],
    mixRows.map((x) => [x.seed, g(x.fit300), g(x.fit), g(x.centre), f3(x.m0), f3(x.m1), x.heavy.map((s) => `(${f2(s.x1)}, ${f3(s.p)})`).join(' '), g(x.loss), x.claims]),
  )}

${figure(
    'gem-mixture',
    gemMix.map((r, i) => curve(r.records, 'fit', `seed ${r.seed}`, COLORS[i])),
    { title: 'Gradient EM, m = 2, n = 10: distance of the worst-fitted true mean', yLabel: 'max_a min_i |μ_i − μ*_a|' },
    'Gradient EM mixture: the worst true mean distance falls for every seed',
  )}

Seed 3's \`fit\` stays at ${g(mixRows.find((x) => x.seed === 3)?.fit ?? NaN)} because two students straddle μ*₁ and merge only slowly (inside one
true component the problem is the over-parameterized m = 1 one, whose spread closes like t^−1/2);
their weighted centre is on μ*₁ (error ${g(mixRows.find((x) => x.seed === 3)?.centre ?? NaN)}). The file now claims \`fit < 0.15\` (was 0.3) and
\`centre[*] < 0.03\` for every true mean.

### m = 2 with n = m = 2 students: the role of n = Ω(m log m)

The theorem's n = Ω(m log m) is there so that, drawn from the data, the students leave no true
component without a neighbour. With n = m = 2 both draws land in the same component with
probability 0.58. **Settings:** as above with \`--set n=2\`, seeds ${PLAN.find((p) => p.key === 'gem-mixture-n2').seeds}.

${table(
    ['seed', 'first coordinates of the two students at the start', 'same true component?', 'fit at 200', 'fit at 2000', 'mass near μ*₁, μ*₂', 'file claims'],
    mix2Rows.map((x) => [x.seed, x.start, x.same ? 'yes' : 'no', g(x.fitAt(200)), g(x.fit), `${f3(x.m0)}, ${f3(x.m1)}`, x.claims]),
  )}

${recovered2.length === mix2Rows.length
    ? `**Not reproduced as a contrast.** Every n = 2 run recovers both true means, including the ${sameStart.length} that start with both students in one component: the student nearer the other component is pulled across (its responsibility for that component's data is the larger one). At this separation (6 in d = 10) and m = 2, n = m is enough; the theorem's n = Ω(m log m) is a sufficient condition, and this experiment does not show that it is needed. A contrast would need more components (m log m against m is 1.4 against 2 here) or less separation: the m = 3 experiment below is that contrast.`
    : `${mix2Rows.length - recovered2.length} of ${mix2Rows.length} n = 2 runs leave a true mean without a student (fit ≥ 0.15 at 2000 steps), where every n = 10 run recovers both.`}

${figure(
    'gem-mixture-n2',
    [...mix2Rows.map((x) => curve(x.r.records, 'fit', x.same ? 'n = 2, both start in one component' : 'n = 2, one student per component', x.same ? COLORS[1] : COLORS[0])), ...gemMix.map((r) => curve(r.records, 'fit', 'n = 10', COLORS[2], { width: 1 }))],
    { title: 'Gradient EM, m = 2: n = 2 against n = 10 students', yLabel: 'max_a min_i |μ_i − μ*_a|', legendRoom: true },
    'Gradient EM mixture with two students: the worst true mean distance by seed',
  )}

### m = 3: n = m = 3 against n = 10

\`gradient-em-mixture-m3.loss\` (our choice, to give n = m a chance to fail): truth
0.2 N(3e₁, I) + 0.3 N(−3e₁, I) + 0.5 N(5e₂, I) in d = 10, otherwise the protocol above; n = 10
(the file, seeds ${PLAN.find((p) => p.key === 'gem-mixture-m3').seeds}) against \`--set n=3\` (seeds ${PLAN.find((p) => p.key === 'gem-mixture-m3-n3').seeds}). With n = 3 all three draws land in
different components with probability 6 · 0.2 · 0.3 · 0.5 = 0.18.

${table(
    ['n', 'seed', 'true component of each student at the start', 'every component has one?', 'fit at 2000', 'mass near μ*₁, μ*₂, μ*₃ (0.2, 0.3, 0.5)', 'file claims'],
    m3Rows.map((x) => [x.n, x.seed, x.start, x.covered ? 'yes' : 'no', g(x.fit), x.masses.map(f3).join(', '), x.claims]),
  )}

${m3Contrast} (Runs that recover every mean end at the same numbers for the same seed whatever n: the same seed draws the same batches, and the final means are estimates from the last of them.)

${figure(
    'gem-mixture-m3',
    m3Rows.map((x) => curve(x.r.records, 'fit', x.n === 10 ? 'n = 10' : x.covered ? 'n = 3, every component has a student at the start' : 'n = 3, a component without one', x.n === 10 ? COLORS[2] : x.covered ? COLORS[0] : COLORS[1], { width: x.n === 10 ? 1 : 1.8 })),
    { title: 'Gradient EM, m = 3: n = 3 against n = 10 students', yLabel: 'max_a min_i |μ_i − μ*_a|', legendRoom: true },
    'Gradient EM mixture with three true components: n = 3 against n = 10',
  )}
`);

}
