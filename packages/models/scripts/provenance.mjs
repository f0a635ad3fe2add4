// Where every setting of every reproduced experiment comes from: the table at the top of
// docs/reproductions.md. Sources: the paper's own statement (abstract or full text), a later paper
// by the same group, a secondary source (an AI-written paper note or review dump, unchecked
// against the paper), the research notes' own simulation protocol, or our choice, with why.

/** The source labels, as the table prints them. @type {Record<string, string>} */
export const SOURCES = {
  paper: "paper's statement",
  later: 'later paper (same group)',
  secondary: 'secondary source',
  notes: "research notes' protocol",
  ours: 'our choice',
};

/** [model, setting, value, source key, why / where]. */
export const PROVENANCE = [
  ['relu-neuron*', 'input, teacher, student', 'x ~ N(0, I_d), y = relu(v·x), f = Σ_i relu(w_i·x), output weights 1, no bias', 'paper', 'abstract: "learning a single neuron" with n student neurons'],
  ['relu-neuron*', 'loss', '½ E[(f − y)²], closed form by the arc-cosine kernel', 'ours', 'the ½ follows Yehudai & Shamir; not verified in the paper (without it every gradient doubles, the rate is unchanged)'],
  ['relu-neuron*', 'd, v', 'd = 5, v = e₁', 'notes', 'the paper\'s experiment was not recovered'],
  ['relu-neuron*', 'n', '2 (sweep: 1, 2, 3, 5)', 'notes', 'n = 1 is the exact-parameterization contrast'],
  ['relu-neuron*', 'init', 'w_i ~ N(0, 10⁻⁶ I)', 'ours', '"randomly initialized", small: the usual reading; the exact scale was not recovered'],
  ['relu-neuron*', 'lr, horizon', '0.1, 10⁵ GD steps', 'notes', 'long enough for a decade of the T⁻³ tail before float64 round-off'],
  ['relu-neuron-flow', 'optimizer, horizon', 'gradient flow, flow(dt = 0.3) (adaptive Dormand–Prince), 10⁵ steps: t = 3·10⁴', 'ours', 'the abstract states the Ω(T⁻³) lower bound for gradient flow; t stops two decades above the closed form\'s float64 floor'],
  ['relu-neuron-mc', 'sample', '300 fixed inputs', 'ours', 'a finite training set, to show the tail is a population-loss property'],
  ['gradient-em', 'truth, student', 'N(0, I_d); n unit-covariance components, fixed equal weights, means trained', 'paper', '2407.00490 abstract (m = 1); weights fixed per the secondary summary of its figure'],
  ['gradient-em', 'd, n', 'd = 2, n = 5', 'notes', 'the paper\'s d and horizon were not recovered'],
  ['gradient-em', 'init, lr, horizon', 'μ_i(0) ~ N(0, I), lr 1, 10⁵ steps', 'notes', '[SIM] protocol; lr of order 1 is the standard choice [A]'],
  ['gradient-em', 'expectation', 'Gauss–Hermite, 20 nodes per dimension', 'ours', 'exact KL to ~1e−16 (Monte Carlo cannot resolve the rate); 20 nodes give the same trajectory as 48'],
  ['gradient-em', 'n (the figure)', 'n = 2, 5, 10', 'secondary', 'the paper\'s figure, per a secondary paraphrase of its caption; d, lr, horizon not recovered'],
  ['gradient-em-unequal', 'weights', 'π_i ∝ i (1, 2, …, n), fixed', 'ours', 'the figure has a mixing-weight panel; its weights were not recovered'],
  ['gradient-em (dense)', 'non-monotonicity', 'n = 5, 2000 steps, every step logged', 'ours', 'the abstract says "non-monotonic"; which quantity was not recovered, so KL, max_i |μ_i|, |Σπ_iμ_i| and each |μ_i| are counted'],
  ['gradient-em-trap', 'bad region', 'd = 1, n = 2, μ₁(0) = R ∈ {4, 6, 8, 10, 12}, μ₂(0) = 0.1, lr 1, quadrature 60, 10⁶ steps', 'ours', 'the abstract\'s "bad regions" construction was not recovered; a far component has exponentially small responsibility'],
  ['gradient-em-exact', 'n, lr', 'n = 1, lr 0.1', 'ours', 'lr 1 is plain EM and lands in one step; 0.1 draws the linear-rate line'],
  ['gradient-em-sampled', 'expectation', 'fresh batch of 2048 per step', 'ours', 'the usual stochastic gradient EM, to show the sampled run floors'],
  ['gradient-em-mixture', 'truth', 'π* = (0.3, 0.7), μ* = (±3, 0, …), d = 10', 'later', 'Zhang, Xu, Fazel, Zhou, Du, "Is √d separation necessary…" — not the 2506.06584 paper, whose experiments were not recovered'],
  ['gradient-em-mixture', 'student, init, update', 'n = 10, μ_i(0) drawn from p*, π_i = 1/n, EM step for π and gradient step for μ', 'later', 'the follow-up\'s hybrid update ("a more natural choice"); 2506.06584\'s own weight update was not recovered'],
  ['gradient-em-mixture', 'lr, batch, horizon', 'lr 0.05, fresh 8192 per step, 2000 steps', 'later', 'the follow-up\'s d = 10 protocol'],
  ['gradient-em-mixture (n = 2)', 'n', 'n = m = 2, otherwise the d = 10 protocol', 'ours', 'the contrast to 2506.06584\'s n = Ω(m log m): with n = m both draws share a component with probability 0.58'],
  ['gradient-em-mixture-m3', 'truth, n', 'π* = (0.2, 0.3, 0.5), μ* = 3e₁, −3e₁, 5e₂ in d = 10; n = 10 and n = 3; otherwise the d = 10 protocol', 'ours', 'm = 2 is too easy for the contrast (a misplaced student is pulled across); with m = 3, n = m leaves a component without a student in 82% of draws'],
  ['score-matching*', 'data, student, loss', 'N(0, I) after translation; equal-weight GMM score; E|s(x) − ∇log q(x)|², no ½', 'secondary', 'an AI-written paper note; the no-½ convention checked against its Lemma 2.2 gradient'],
  ['score-matching', 'n, d, M, init', 'n = 5, d = 3, μ_i(0) = (6, 0, 0) + 10⁻⁷ z_i', 'secondary', 'the note\'s description of the paper\'s one experiment'],
  ['score-matching*', 'lr, horizon', '0.01, 20,000 steps', 'secondary', 'as above'],
  ['score-matching*', 'batch', 'fresh 5000 per step (paper: 20,000)', 'ours', 'time: 8 seeds at 20,000 would take ~7 min alone; the outcome did not change'],
  ['score-matching-near', 'M', '4', 'secondary', 'the note\'s M = 4 contrast'],
  ['score-matching-small-init', 'spread', '10⁻¹⁵', 'ours', 'a stand-in for Theorem 3.2\'s exponentially small spread (10^(−300+) is below float64)'],
  ['score-matching-counterexample', 'ε₀', 'e^(−M/100) = 0.94 at M = 6', 'secondary', 'Theorem 3.4 as the note states it; far from the theorem\'s small-ε₀ regime at this M'],
  ['score-matching-counterexample-small', 'ε₀', '10⁻², 10⁻⁴, 10⁻⁶, 10⁻¹⁰ at M = 6; 5000 steps', 'ours', 'the theorem\'s regime is a tiny ε₀ (its formula e^(−M₀/100) is tiny only for its huge M₀)'],
  ['score-matching (population)', 'evaluation', 'population loss at the logged means: trapezoid h = 0.02 along the axis between the means × 10² Gauss–Hermite nodes', 'ours', 'noise-free loss along the trajectory; error checked against a 4× finer grid'],
  ['score-matching-large-noise', 't, init, lr', 't = 6, clean means (6, 0, 0) + N(0, I), lr 4, quadrature 6', 'ours', 'Theorem 2.1\'s condition t > log n + log M + 2; lr scaled to the tiny curvature at this noise level'],
  ['matrix-factorization*', 'loss, regularizer', '½|Σ − W₄W₃W₂W₁|² + a/4 Σ_j |W_jW_jᵀ − W_{j+1}ᵀW_{j+1}|²', 'paper', 'full text (displayed equations reassembled); Δ\'s orientation inferred from the paper\'s gradient and checked'],
  ['matrix-factorization*', 'init distribution', 'entries ε·N(0, 1) (real), ε·N_C(0, 1) (complex)', 'paper', 'as stated in the paper'],
  ['matrix-factorization*', 'd, Σ, ε, a, lr, horizon', 'd = 3, Σ = I, ε = 0.1, a = 10, lr 0.02, 10⁵ steps', 'notes', 'the paper\'s hyperparameters are in an appendix that was not recovered; these are practical values, not the theorem\'s regime (small ε, large a, small steps)'],
  ['matrix-factorization-theorem', 'ε, a, lr, horizon', 'ε = 0.05, a = 40, lr 0.004, 10⁶ steps (5·10⁶ for seeds still on the plateau)', 'ours', 'each moved the way Theorem 6 asks (small ε, large a, small steps); the theorem\'s polynomials are not given'],
  ['matrix-factorization-balanced', 'init', 'W₄ = W₃ = W₂ = εP^(1/8), W₁ = εP^(1/8)P^(−1/2)G, P = GGᵀ, G Gaussian', 'ours', 'the paper\'s balanced Gaussian init (from one G, Haar rotations, unit constants): formula not recovered; same product ε⁴G and exact balance'],
  ['matrix-factorization-balanced', 'optimizer', 'gradient flow, flow(dt = 1), 3000 steps', 'paper', 'Theorem 2 is stated for gradient flow'],
  ['edge-of-stability', 'network, data', 'tanh, 16 hidden units, 64 Gaussian inputs in d = 5, y = sin(x₁)', 'ours', 'small enough for the exact Hessian at every logged step; the paper uses CIFAR-10 networks'],
  ['edge-of-stability', 'lr, horizon', 'lr 0.8 (2/lr = 2.5), 10⁴ steps, full batch', 'ours', 'a step size whose 2/lr lies above the sharpness after the first catapult, so progressive sharpening is visible'],
];

/**
 * The provenance table as markdown.
 * @param {(head: string[], rows: string[][]) => string} table the markdown table maker
 */
export function provenanceTable(table) {
  return table(
    ['model', 'setting', 'value', 'source', 'why, or where from'],
    // a | inside a cell (|x|, E|v|²) would end the cell: escaped
    PROVENANCE.map(([model, setting, value, source, why]) => [`\`${model}\``, setting, value, SOURCES[source], why].map((c) => c.replaceAll('|', '\\|'))),
  );
}
