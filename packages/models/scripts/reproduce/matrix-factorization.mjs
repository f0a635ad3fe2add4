// The matrix-factorization section of the report: real, complex, theorem-regime and balanced inits.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COLORS, curve, figure } from './figures.mjs';
import { binomCdf, g, range, table, yes } from './format.mjs';
import { claimsPassed, last, loadRun, loadSweep, mfOutcome, readLog, values } from './runs.mjs';
import { LONG, MFT_LONG_STEPS, OUT, PLAN } from './settings.mjs';

/**
 * The four-layer matrix factorization: outcomes against det W(0), the theorem's regime, balanced init.
 * @param {import('./report.mjs').Report} out the claims table's rows (`key`) and the markdown (`md`), appended to
 */
export function matrixFactorizationSection(out) {
  const { key, md } = out;
  // ---------------- matrix factorization
  const mf = loadSweep('mf-real').map(mfOutcome);
  /** @typedef {typeof mf[number]} Outcome */
  const mfc = loadSweep('mf-complex').map(mfOutcome);
  const conv = mf.filter((o) => o.outcome === 'converged');
  const stalls = mf.filter((o) => o.outcome === 'stalled');
  const negStalls = stalls.filter((o) => o.det0 < 0);
  // a det W(0) > 0 seed still on the plateau at 1e5 was run on (runAll): converging there is the
  // sign's prediction, only later
  const longFit = (/** @type {Outcome} */ o) => {
    const dir = path.join(OUT, 'mf-long', `seed=${o.seed}`);
    return fs.existsSync(dir) ? last(readLog(dir), 'fit') : NaN;
  };
  const lateConverged = mf.filter((o) => o.det0 > 0 && o.outcome !== 'converged' && longFit(o) < 1e-9);
  const exceptions = mf.filter((o) => (o.det0 > 0) !== (o.outcome === 'converged' || lateConverged.includes(o)));
  const longRuns = fs.existsSync(path.join(OUT, 'mf-long')) ? fs.readdirSync(path.join(OUT, 'mf-long')).map((d) => loadRun(path.join(OUT, 'mf-long', d), { seed: Number(d.split('=')[1]) })) : [];
  const crossing = (/** @type {Outcome} */ o) => {
    const i = o.r.records.findIndex((x) => x.metrics.detW > 0);
    return i >= 0 ? o.r.records[i].step : NaN;
  };
  const escape = (/** @type {import('./runs.mjs').Run} */ r) => {
    const i = r.records.findIndex((x) => x.step > 1000 && x.metrics.fit < 0.25);
    return i >= 0 ? r.records[i].step : NaN;
  };
  const note = (/** @type {Outcome} */ o) => {
    if (o.det0 < 0 && o.outcome === 'converged') return `det W crosses 0 by step ${crossing(o)}`;
    const long = longRuns.find((r) => r.seed === o.seed);
    if (long) return `run on to ${LONG}: fit ${g(last(long.records, 'fit'))}${Number.isFinite(escape(long)) ? `, escapes the saddle near step ${g(escape(long), 2)}` : ', still at the saddle'}`;
    return '';
  };
  /** "the smallest", "the 3rd smallest": where |det W(0)| of a seed ranks among all seeds. */
  const rankAbs = (/** @type {Outcome} */ o) => {
    const k = [...mf].sort((a, b) => Math.abs(a.det0) - Math.abs(b.det0)).indexOf(o) + 1;
    return k === 1 ? 'the smallest' : `the ${k}${k === 2 ? 'nd' : k === 3 ? 'rd' : 'th'} smallest`;
  };
  /** What the long run of a stalled det > 0 seed showed. */
  const longText = (/** @type {Outcome} */ o) => {
    const long = longRuns.find((r) => r.seed === o.seed);
    if (!long) return 'it was not run longer.';
    const minDet = Math.min(...values(long.records, 'detW').filter((_, i) => long.records[i].step > 0));
    const esc = escape(long);
    return Number.isFinite(esc)
      ? `run on to ${LONG} steps it leaves the saddle near step ${g(esc, 2)} and converges (fitting loss ${g(last(long.records, 'fit'))}); ${minDet > 0 ? `det W stays positive throughout (smallest logged value ${g(minDet)})` : `but det W does change sign on the way: it is negative in ${values(long.records, 'detW').filter((v) => v < 0).length} of the ${long.records.length} logged records (smallest ${g(minDet)}, at step ${long.records[values(long.records, 'detW').indexOf(minDet)].step}) and positive again afterwards, so this seed too breaks "det W keeps its sign", though it ends as the sign of det W(0) predicts`}. Its stall at 10⁵ is a long plateau, and 10⁵ steps were too few for it.`
      : `run on to ${LONG} steps it is still at the saddle (fitting loss ${g(last(long.records, 'fit'))}, smallest logged det W ${g(minDet)}).`;
  };
  const flips = mf.filter((o) => {
    const long = longRuns.find((r) => r.seed === o.seed);
    return Math.min(...values(o.r.records, 'keep'), ...(long ? values(long.records, 'keep') : [])) < 1;
  });
  key.push([
    'Matrix factorization, real init (2511.09925)', 'converges with probability ≈ 1/2; at practical settings (outside Theorem 6\'s regime), does the sign of det W(0) still decide?',
    `det W changes sign at a logged step in ${flips.length}/${mf.length} seeds (${flips.map((o) => o.seed).join(', ') || '—'}); ${conv.length}/${mf.length} converge, ${stalls.length} stall at fit = 1/2${mf.length - conv.length - stalls.length ? `, ${mf.length - conv.length - stalls.length} between` : ''}; ${negStalls.length} of ${stalls.length} stalls have det W(0) < 0; exceptions: ${exceptions.map((o) => `seed ${o.seed} (det W(0) ${o.det0 > 0 ? '> 0, still at the saddle after the long run' : '< 0, converges'})`).join(', ') || 'none'}${lateConverged.length ? `; seed ${lateConverged.map((o) => o.seed).join(', ')} (det W(0) > 0) needs more than 1e5 steps and converges by ${LONG}` : ''}`,
    `d = 3, Σ = I, ε = 0.1, a = 10, lr 0.02, 1e5 steps, seeds 0-15`,
    flips.length === 0 && exceptions.length === 0 ? 'agrees' : `**differs**: det W changes sign in ${flips.length} of ${mf.length} seeds, ${exceptions.length} end against the sign of det W(0); outside the theorem's regime`,
  ]);
  // towards the theorem's regime: smaller eps and lr, larger a, 1e6 steps
  const mft = loadSweep('mf-theorem').map((r) => {
    const o = mfOutcome(r);
    const keep = Math.min(...values(r.records, 'keep'));
    const conv = r.records.find((x) => x.metrics.fit < 1e-9);
    return { ...o, keep, convStep: conv ? conv.step : NaN, claims: claimsPassed(r), predicted: (o.det0 > 0) === (o.outcome === 'converged') && o.outcome !== 'between', late: false, predictedFinal: false };
  });
  const mftLong = fs.existsSync(path.join(OUT, 'mft-long')) ? fs.readdirSync(path.join(OUT, 'mft-long')).map((d) => loadRun(path.join(OUT, 'mft-long', d), { seed: Number(d.split('=')[1]) })) : [];
  // a det W(0) > 0 seed still on the plateau at 1e6 counts as predicted if its long run converges
  for (const o of mft) {
    const long = mftLong.find((r) => r.seed === o.seed);
    o.late = !o.predicted && o.det0 > 0 && long !== undefined && last(long.records, 'fit') < 1e-9 && Math.min(...values(long.records, 'keep')) === 1;
    o.predictedFinal = o.predicted || o.late;
  }
  const mftOk = mft.every((o) => o.keep === 1 && o.predictedFinal);
  key.push([
    'Matrix factorization, towards Theorem 6\'s regime', 'small ε, large a, small steps: det W keeps its sign; det W(0) < 0 ⇒ the saddle, det W(0) > 0 ⇒ convergence',
    `${mft.filter((o) => o.keep === 1).length}/${mft.length} seeds keep the sign of det W at every logged step; ${mft.filter((o) => o.predictedFinal).length}/${mft.length} end as the sign predicts (${mft.filter((o) => o.outcome === 'converged').length} converge by 1e6, at steps ${range(mft.filter((o) => o.outcome === 'converged').map((o) => o.convStep), (v) => g(v, 2))}${mft.filter((o) => o.late).length ? `, seed ${mft.filter((o) => o.late).map((o) => o.seed).join(', ')} (the smallest |det W(0)|) only in its run on to ${g(MFT_LONG_STEPS, 2)}` : ''}; ${mft.filter((o) => o.outcome === 'stalled' && !o.late).length} stall, all with det W(0) < 0)`,
    `matrix-factorization-theorem: ε = 0.05, a = 40, lr 0.004, 1e6 steps, seeds ${PLAN.find((p) => p.key === 'mf-theorem').seeds}`,
    mft.every((o) => o.keep === 1) ? (mftOk ? 'agrees, without exception' : `agrees on the sign (no exception); the outcome differs on ${mft.filter((o) => !o.predictedFinal).length} seed(s)`) : `**differs**: det W changes sign in ${mft.filter((o) => o.keep !== 1).length} seeds`,
  ]);
  // Theorem 2: balanced init, gradient flow
  const mfb = loadSweep('mf-balanced').map((r) => {
    const o = mfOutcome(r);
    return { ...o, keep: Math.min(...values(r.records, 'keep')), balance0: values(r.records, 'balance')[0], balanceMax: Math.max(...values(r.records, 'balance')), claims: claimsPassed(r), predicted: (o.det0 > 0) === (o.outcome === 'converged') && o.outcome !== 'between' };
  });
  const mfbFail = mfb.filter((o) => o.outcome !== 'converged');
  key.push([
    'Matrix factorization, Theorem 2', 'balanced init, gradient flow, real: fails to converge with probability ≥ 1/2 (goes to a saddle)',
    `${mfbFail.length}/${mfb.length} runs end at the saddle (fit 1/2), all with det W(0) < 0: ${mfb.filter((o) => o.predicted).length}/${mfb.length} as the sign predicts; det W keeps its sign in ${mfb.filter((o) => o.keep === 1).length}/${mfb.length}; balance error at the start ≤ ${g(Math.max(...mfb.map((o) => o.balance0)), 2)}, along the flow ≤ ${g(Math.max(...mfb.map((o) => o.balanceMax)), 2)} (relative to ε²)`,
    `matrix-factorization-balanced: ε = 0.1, a = 10, flow(dt = 1), 3000 steps, seeds ${PLAN.find((p) => p.key === 'mf-balanced').seeds}`,
    mfb.every((o) => o.predicted) ? `agrees (failure rate ${mfbFail.length}/${mfb.length}: the theorem's "at least 1/2" is a probability; the failures are exactly the det W(0) < 0 seeds)` : '**differs**',
  ]);
  key.push([
    'Matrix factorization, complex init', 'converges with probability 1 − δ',
    `${mfc.filter((o) => o.outcome === 'converged').length}/${mfc.length} converge (final fit ${range(mfc.map((o) => o.fit), g)})`,
    `as real, W_j = A_j + iB_j, seeds 0-15`, mfc.every((o) => o.outcome === 'converged') ? 'agrees' : '**differs**',
  ]);
  const mfColor = (/** @type {Outcome} */ o) => {
    const exc = exceptions.includes(o);
    if (o.det0 > 0) return { color: exc ? '#002B5C' : COLORS[0], label: exc ? `seed ${o.seed}: det W(0) > 0, stalls` : 'det W(0) > 0' };
    return { color: exc ? '#8B1A00' : COLORS[1], label: exc ? `seed ${o.seed}: det W(0) < 0, converges` : 'det W(0) < 0' };
  };
  md.push(`## 4. Four-layer matrix factorization (arXiv 2511.09925)

**Paper.** Luo, Xu, Gao, Fazel and Du, "Global Convergence of Four-Layer Matrix Factorization under
Random Initialization". With the balancing regularizer, GD from a small random init converges with
probability about (1 − δ)/2 over the reals and 1 − δ over the complex numbers (Theorem 1). Theorem 6
gives the cause under the theorems' conditions (ε small, a large, steps small, each polynomially in
d and 1/δ): if det W(0) < 0, a singular value of W + (WWᵀ)^½ is 0 at the start and W cannot reach Σ
(the saddle with fitting loss σ₁²/2); if det W(0) > 0, the run converges with probability 1 − δ. "det W
keeps the sign it starts with" is our reading of that condition, and it is a statement inside that
regime: the practical settings below are outside it, the \`matrix-factorization-theorem\` runs move
towards it. Theorem 2: from a balanced initialization, gradient flow over the reals fails with
probability at least 1/2.

**Settings.** \`matrix-factorization.loss\`: W = W₄W₃W₂W₁, d = 3, Σ = I, entries N(0, ε²) with ε = 0.1,
a = 10, lr 0.02, 10⁵ steps; \`matrix-factorization-complex.loss\` the same with W_j = A_j + iB_j in real
arithmetic. Seeds 0-15 each. "Converged": fitting loss ½|Σ − W|² < 1e−9; "stalled": within 1e−3 of 1/2.

${table(
    ['seed', 'det W(0)', 'sign', 'outcome', 'fitting loss at 1e5', 'loss at 1e5', 'det W at 1e5', 'agrees with det sign', 'note'],
    mf.map((o) => [o.seed, g(o.det0), o.det0 > 0 ? '+' : '−', o.outcome, g(o.fit), g(o.loss), g(o.detW), yes(!exceptions.includes(o)), note(o)]),
  )}

**Success rate (real): ${conv.length}/${mf.length} = ${(conv.length / mf.length).toFixed(2)}**, against the theorem's ≈ 1/2 (and ${mf.filter((o) => o.det0 > 0).length} of 16 seeds have det W(0) > 0).
Stalls: ${stalls.length}, of which ${negStalls.length} have det W(0) < 0.

${lateConverged.map((o) => `Seed ${o.seed} (det W(0) = ${g(o.det0)} > 0, ${rankAbs(o)} |det W(0)| of the ${mf.length}) is still on the saddle at 10⁵ steps; ${longText(o)}`).join(' ')}

**Where our measurement and the theorem differ.** ${exceptions.length === 0 ? 'Every seed did what the sign of det W(0) predicts.' : exceptions
    .map((o) =>
      o.det0 < 0
        ? `Seed ${o.seed} starts with det W(0) = ${g(o.det0)} < 0 and still converges: det W crosses 0 by step ${crossing(o)}, early, while the regularizer is still aligning the layers. The theorems assume ε small and a large (polynomially in d and 1/δ); ε = 0.1 and a = 10 are practical values, and Theorem 1's probability is a lower bound on success, so a det < 0 run that converges does not contradict it; it does break the simple rule "det W(0) < 0 ⇒ stall" at these settings.`
        : `Seed ${o.seed} starts with det W(0) = ${g(o.det0)} > 0 (${rankAbs(o)} |det W(0)| of the ${mf.length}) and sits at the saddle at step 10⁵ with det W = ${g(o.detW)} > 0; ${longText(o)}`,
    )
    .join(' ')}

${figure(
    'mf-real',
    mf.map((o) => ({ ...curve(o.r.records, 'loss', mfColor(o).label, mfColor(o).color), width: exceptions.includes(o) ? 3 : 1.6 })),
    { title: 'Four-layer matrix factorization, real init: 16 seeds by the sign of det W(0)', yLabel: 'loss (fit + regularizer), linear scale', yScale: 'linear', yRange: [0, 2.3] },
    'Loss curves of 16 real-initialized runs, colored by the sign of det W(0)',
  )}

*Loss against step (log step, linear loss); blue: det W(0) > 0, orange: det W(0) < 0; the seeds
that break the rule drawn thick in a darker shade of their sign's color. Every run starts on the
plateau at 3/2 (W ≈ 0, fitting loss ½|I|²) and learns the three singular values of Σ one at a time
(3/2 → 1 → 1/2 → 0); converged runs end at 0 (~1e−30), stalled ones at the saddle, 1/2.*

### Towards the theorem's regime

**Settings.** \`matrix-factorization-theorem.loss\`: as above with ε = 0.05 (half), a = 40 (4×) and
lr 0.004 (1/5; lr·a·|W_j|² ≈ 0.5 at the end), 10⁶ steps (the plateau grows like 1/(lr ε²)),
seeds ${PLAN.find((p) => p.key === 'mf-theorem').seeds}. The theorem's polynomials are not given, so no finite setting is provably inside its
regime; each of the three moves the theorem's way. \`keep\` = sign det W(t) · sign det W(0), at every logged step.

${table(
    ['seed', 'det W(0)', 'outcome', 'fitting loss at 1e6', 'converged (fit < 1e−9) by step', 'min keep', 'as the sign predicts', 'file claims'],
    mft.map((o) => [o.seed, g(o.det0), o.outcome, g(o.fit), Number.isFinite(o.convStep) ? g(o.convStep, 3) : o.late ? `— (by ${g(MFT_LONG_STEPS, 2)}: converged)` : '—', o.keep, o.late ? 'yes, after 1e6' : yes(o.predicted), o.claims]),
  )}

${mft.every((o) => o.keep === 1) ? `Here det W keeps its sign in every seed, at every logged step (at the practical settings it changed sign in ${mf.filter((o) => o.det0 < 0 && o.outcome === 'converged').length} of ${mf.length} seeds above, and in ~6–8% of runs in the audit's larger sample).` : `det W changes sign in ${mft.filter((o) => o.keep !== 1).length} seed(s) even here.`} ${mft.every((o) => o.predicted) ? `Every seed ends as the sign predicts (${mft.filter((o) => o.outcome === 'converged').length} of ${mft.length} converge).` : mft
    .filter((o) => !o.predicted)
    .map((o) => `Seed ${o.seed} has det W(0) = ${g(o.det0)} > 0 (${[...mft].sort((a, b) => Math.abs(a.det0) - Math.abs(b.det0)).indexOf(o) === 0 ? 'the smallest |det W(0)| of the ' + mft.length : 'not the smallest'}) and is still on the saddle at 10⁶ steps with det W > 0: ${(() => { const long = mftLong.find((r) => r.seed === o.seed); if (!long) return 'it was not run longer'; const c = long.records.find((x) => x.metrics.fit < 1e-9); return c ? `run on to ${g(MFT_LONG_STEPS, 2)} steps it converges by step ${g(c.step, 2)}, det W positive throughout (a long plateau, which a tiny σ_min(W(0)) predicts: the theorem's failure probability δ)` : `run on to ${g(MFT_LONG_STEPS, 2)} steps it is still there (fitting loss ${g(last(long.records, 'fit'))})`; })()}.`)
    .join(' ')}

${figure(
    'mf-theorem',
    mft.map((o) => ({ ...curve(o.r.records, 'loss', o.det0 > 0 ? 'det W(0) > 0' : 'det W(0) < 0', o.det0 > 0 ? COLORS[0] : COLORS[1]), width: 1.6 })),
    { title: 'Four-layer matrix factorization, eps = 0.05, a = 40, lr 0.004: 16 seeds', yLabel: 'loss (fit + regularizer), linear scale', yScale: 'linear', yRange: [0, 2.3] },
    'Loss curves towards the theorem regime, colored by the sign of det W(0)',
  )}

### Theorem 2: balanced initialization, gradient flow

**Settings.** \`matrix-factorization-balanced.loss\`: W₄ = W₃ = W₂ = ε P^(1/8), W₁ = ε P^(1/8) R with
G ~ N(0, 1)^(3×3), P = GGᵀ and R = P^(−1/2) G, so W = ε⁴G and every W_jW_jᵀ = W_{j+1}ᵀW_{j+1} (the
paper's formula, with Haar rotations between layers, was not recovered; rotations between layers
change neither the product, the balance nor the loss along the flow); ε = 0.1, a = 10, \`flow(dt = 1)\`
for 3000 steps; seeds ${PLAN.find((p) => p.key === 'mf-balanced').seeds}. \`balance\` = Σ_j |W_jW_jᵀ − W_{j+1}ᵀW_{j+1}| / ε².

${table(
    ['seed', 'det W(0)', 'outcome', 'fitting loss at t = 3000', 'min keep', 'balance at 0', 'max balance', 'file claims'],
    mfb.map((o) => [o.seed, g(o.det0), o.outcome, g(o.fit), o.keep, g(o.balance0, 2), g(o.balanceMax, 2), o.claims]),
  )}

${mfbFail.length} of ${mfb.length} runs fail (end at the saddle, fitting loss 1/2), and they are exactly the ones with det W(0) < 0:
balanced gradient flow keeps the singular values of W off 0, so the sign of det W never changes
(min keep = 1 in ${mfb.filter((o) => o.keep === 1).length} of ${mfb.length}). The theorem's "probability at least 1/2" is about the sign of det G, which is
negative with probability exactly 1/2 (G and −G are equally likely, and det(−G) = −det G in d = 3); ${mfbFail.length}/${mfb.length} is what these ${mfb.length} draws gave (${mfbFail.length} or fewer of ${mfb.length} has probability ${g(binomCdf(mfbFail.length, mfb.length), 2)} when p = 1/2). The balance stays at the
integrator's tolerance (≤ ${g(Math.max(...mfb.map((o) => o.balanceMax)), 2)}).

**Complex init:** ${mfc.filter((o) => o.outcome === 'converged').length}/${mfc.length} converge (fitting loss ${range(mfc.map((o) => o.fit), g)} at 10⁵ steps).

${figure(
    'mf-complex',
    mfc.map((o, i) => curve(o.r.records, 'loss', 'complex init, 16 seeds', COLORS[2], { width: 1.6 })),
    { title: 'Four-layer matrix factorization, complex init: 16 seeds', yLabel: 'loss (fit + regularizer), linear scale', yScale: 'linear', yRange: [0, 2] },
    'Loss curves of 16 complex-initialized runs, all converging',
  )}
`);

}
