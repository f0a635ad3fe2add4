// What pnpm reproduce runs and where: the plan of sweeps with their CPU cost, the extra runs, the folders.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = fileURLToPath(new URL('../../../../', import.meta.url));
export const cli = path.join(repo, 'packages/cli/dist/main.js');
export const OUT = path.join(repo, 'runs/reproduce');
export const DOCS = path.join(repo, 'docs');
export const FIGURES = path.join(DOCS, 'figures');
export const BUDGET_SECONDS = 15 * 60;
export const JOBS = 2;
/** When the script started (this module loads first). */
export const t0 = performance.now();

/**
 * Every sweep: the model at its file's settings (plus `args`), over `seeds`, and the CPU seconds
 * the whole sweep took on the 2-core machine (twice its wall time at two runs at a time), measured
 * with other work running. Sum: ~1540 CPU s, ~13 min of wall time on two free cores; the 6
 * score-matching seeds at M = 6 are a fifth of it, the 10^6-step matrix-factorization runs
 * (theorem regime) and the balanced gradient-flow runs another fifth.
 */
export const PLAN = [
  { key: 'sm-M6', model: 'score-matching', seeds: '0-5', cpu: 300, what: 'score matching M = 6, the paper\'s experiment' },
  { key: 'sm-M4', model: 'score-matching-near', seeds: '0-2', cpu: 140, what: 'score matching M = 4' },
  { key: 'sm-small-init', model: 'score-matching-small-init', seeds: '0-1', cpu: 42, what: 'score matching, exponentially small init' },
  { key: 'sm-counterexample', model: 'score-matching-counterexample', seeds: '0-1', cpu: 24, what: 'score matching, Theorem 3.4 counterexample' },
  { key: 'sm-counterexample-small', model: 'score-matching-counterexample-small', args: ['--set', 'eps0=1e-2,1e-4,1e-6,1e-10'], seeds: '0', cpu: 50, what: 'score matching, Theorem 3.4 with a small ε₀' },
  { key: 'sm-large-noise', model: 'score-matching-large-noise', seeds: '0-1', cpu: 25, what: 'score matching, large noise t = 6' },
  { key: 'gem-mixture', model: 'gradient-em-mixture', seeds: '0-3', cpu: 66, what: 'gradient EM, m = 2 true components, n = 10' },
  { key: 'gem-mixture-n2', model: 'gradient-em-mixture', args: ['--set', 'n=2'], seeds: '0-3', cpu: 50, what: 'gradient EM, m = 2 true components, n = 2' },
  { key: 'gem-mixture-m3', model: 'gradient-em-mixture-m3', seeds: '0-3', cpu: 100, what: 'gradient EM, m = 3 true components, n = 10' },
  { key: 'gem-mixture-m3-n3', model: 'gradient-em-mixture-m3', args: ['--set', 'n=3'], seeds: '0-7', cpu: 90, what: 'gradient EM, m = 3 true components, n = 3' },
  { key: 'gem', model: 'gradient-em', args: ['--set', 'n=2,5,10'], seeds: '0-3', cpu: 70, what: 'gradient EM, m = 1, n = 2, 5, 10, quadrature' },
  { key: 'gem-unequal', model: 'gradient-em-unequal', args: ['--set', 'n=2,5,10'], seeds: '0-3', cpu: 70, what: 'gradient EM, m = 1, unequal weights' },
  { key: 'gem-dense', model: 'gradient-em', args: ['--steps', '2000', '--log', '2000'], seeds: '0-7', cpu: 4, what: 'gradient EM, n = 5, every step of the first 2000 logged' },
  { key: 'gem-trap', model: 'gradient-em-trap', args: ['--set', 'R=4,6,8,10,12'], seeds: '0', cpu: 16, what: 'gradient EM, a far mean at R (the bad region)' },
  { key: 'gem-sampled', model: 'gradient-em-sampled', seeds: '0-3', cpu: 29, what: 'gradient EM, m = 1, n = 5, fresh batches' },
  { key: 'gem-exact', model: 'gradient-em-exact', seeds: '0-3', cpu: 1, what: 'gradient EM, n = 1' },
  { key: 'relu', model: 'relu-neuron', args: ['--set', 'n=1,2,3,5'], seeds: '0-3', cpu: 6, what: 'ReLU neuron, n = 1, 2, 3, 5' },
  { key: 'relu-flow', model: 'relu-neuron-flow', args: ['--set', 'n=2,3'], seeds: '0-5', cpu: 16, what: 'ReLU neuron, gradient flow, n = 2, 3' },
  { key: 'relu-exact', model: 'relu-neuron-exact', seeds: '0-3', cpu: 1, what: 'ReLU neuron, n = 1 (rate)' },
  { key: 'relu-mc', model: 'relu-neuron-mc', seeds: '0-3', cpu: 6, what: 'ReLU neuron, Monte Carlo' },
  { key: 'mf-real', model: 'matrix-factorization', seeds: '0-15', cpu: 8, what: 'matrix factorization, real init' },
  { key: 'mf-theorem', model: 'matrix-factorization-theorem', seeds: '0-15', cpu: 170, what: 'matrix factorization, real init, towards the theorem\'s regime' },
  { key: 'mf-balanced', model: 'matrix-factorization-balanced', seeds: '0-15', cpu: 130, what: 'matrix factorization, balanced init, gradient flow' },
  { key: 'mf-complex', model: 'matrix-factorization-complex', seeds: '0-15', cpu: 20, what: 'matrix factorization, complex init' },
  { key: 'eos', model: 'edge-of-stability', seeds: '0-3', cpu: 16, what: 'edge of stability, exact Hessian spectrum' },
];
/** Steps at which the sampled gradient-EM run (seed 0) is stopped and evaluated exactly by quadrature. */
export const SAMPLED_STOPS = [10, 18, 32, 56, 100, 178, 316, 562, 1000, 1778, 3162, 5623];
/** Real matrix-factorization seeds that stall although det W(0) > 0 are run on to this many steps. */
export const MF_LONG_STEPS = 500_000;
export const LONG = MF_LONG_STEPS.toExponential().replace('e+', 'e');
/** ... and seeds of matrix-factorization-theorem that are still on the plateau at 1e6 with det W(0) > 0, to this many. */
export const MFT_LONG_STEPS = 5_000_000;
