// Correctness of the bench .loss files: (1) P1c and P4 (no data) at the peers' own parameters
// against the peers' hand-written JS loss and gradient (PEERS_DIR, default ../shared/peers), and
// P5 and P6 the same on the peers' fixed batch (written into the fresh batch's buffer; P6's
// teacher V read from a file in place of its `randn`); (2) every file's gradient against central
// differences of its own loss (small sizes).
// Usage: node bench/peers/check.mjs   (after tsc -b)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileSource } from '../../packages/dsl/dist/index.js';

const here = new URL('./', import.meta.url);
const peers = resolve(process.env.PEERS_DIR ?? new URL('../../../shared/peers', import.meta.url).pathname);
const program = (file, dims, source = readFileSync(new URL(file, here), 'utf8')) => {
  const r = compileSource(source, { file, overrides: dims });
  if (!r.ok) throw new Error(`${file}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  r.program.initialize();
  return r.program;
};
const relErr = (a, b) => {
  let e = 0, s = 0;
  for (let i = 0; i < a.length; i++) { e = Math.max(e, Math.abs(a[i] - b[i])); s = Math.max(s, Math.abs(b[i])); }
  return e / s;
};
let fails = 0;
const report = (what, err, tol) => {
  const ok = err < tol;
  if (!ok) fails++;
  console.log(`${what.padEnd(58)} max rel err ${err.toExponential(2)}  ${ok ? 'ok' : 'FAIL'}`);
};

const { makeData } = await import(pathToFileURL(`${peers}/js/common.mjs`).href);
const { makeHand } = await import(pathToFileURL(`${peers}/js/hand.mjs`).href);
for (const [problem, file, dims] of [['P1c', 'p1c.loss', { n: 5, d: 10 }], ['P1c', 'p1c.loss', { n: 20, d: 7 }], ['P4', 'p4.loss', { d: 6 }]]) {
  const data = makeData(problem, dims, 7);
  const h = makeHand(problem, data);
  const loss = h.lossGrad();
  const p = program(file, dims);
  data.params.forEach((x, k) => p.params[k].set(x));
  const ev = p.evaluate();
  report(`${problem} ${JSON.stringify(dims)} loss vs js-hand`, Math.abs(ev.objective - loss) / Math.abs(loss), 1e-12);
  h.grads.forEach((g, k) => report(`${problem} ${JSON.stringify(dims)} gradient ${k} vs js-hand`, relErr(ev.grads[k], g), 1e-9));
}

// P5 and P6 on the peers' fixed batch: x = 0 + 1 * z, so the batch is the standard normals z
const scratch = mkdtempSync(join(tmpdir(), 'descent-check-'));
for (const [problem, file, dims] of [['P5', 'p5.loss', { d: 10, N: 1000 }], ['P5', 'p5.loss', { d: 7, N: 50 }],
  ['P6', 'p6.loss', { d: 50, K: 2, M: 2, B: 100 }], ['P6', 'p6.loss', { d: 9, K: 3, M: 2, B: 40 }]]) {
  const data = makeData(problem, dims, 7, { fixedBatch: true });
  const h = makeHand(problem, data);
  const loss = h.lossGrad();
  let source = readFileSync(new URL(file, here), 'utf8');
  if (problem === 'P6') {
    const rows = Array.from({ length: dims.M }, (_, q) => Array.from(data.consts.V.subarray(q * dims.d, (q + 1) * dims.d)));
    const path = join(scratch, 'p6.loss');
    writeFileSync(join(scratch, 'V.json'), JSON.stringify(rows));
    const replaced = source.replace('let V[M, d] = randn(M, d) / sqrt(d)', 'let V[M, d] = load("V.json")');
    if (replaced === source) throw new Error('p6.loss: the teacher line to replace was not found');
    writeFileSync(path, replaced);
    source = replaced;
  }
  const p = program(problem === 'P6' ? join(scratch, 'p6.loss') : file, dims, source);
  data.params.forEach((x, k) => p.params[k].set(x));
  const [batch] = p.currentBatch();
  if (batch.length !== data.consts.X.length) throw new Error(`${file}: batch of ${batch.length} values, the peers' has ${data.consts.X.length}`);
  batch.set(data.consts.X);
  const ev = p.evaluate();
  const ref = loss;
  const tag = `${problem} ${file.replace(/.*\//, '')} ${JSON.stringify(dims)}`;
  report(`${tag} loss vs js-hand`, Math.abs(ev.objective - ref) / Math.abs(ref), 1e-12);
  h.grads.forEach((g, k) => report(`${tag} gradient ${k} vs js-hand`, relErr(ev.grads[k], g), 1e-9));
}
rmSync(scratch, { recursive: true });

const SMALL = { 'p1.loss': { d: 10, n: 5, N: 512 }, 'p1c.loss': { n: 5, d: 10 }, 'p2.loss': { d: 5, n: 10, N: 1000 },
  'p3.loss': { d: 5, n: 10, N: 1000 }, 'p3-grad.loss': { d: 5, n: 10, N: 1000 }, 'p4.loss': { d: 6 },
  'p5-fixed.loss': { d: 7, N: 50 }, 'p6.loss': { d: 9, K: 3, M: 2, B: 40 } };
for (const [file, dims] of Object.entries(SMALL)) {
  const p = program(file, dims);
  const ev = p.evaluate();
  const grads = ev.grads.map((g) => Float64Array.from(g));
  const eps = 1e-6;
  p.params.forEach((x, k) => {
    const fd = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const o = x[i];
      x[i] = o + eps; const lp = p.evaluate().objective;
      x[i] = o - eps; const lm = p.evaluate().objective;
      x[i] = o;
      fd[i] = (lp - lm) / (2 * eps);
    }
    report(`${file} ${JSON.stringify(dims)} gradient ${k} vs central differences`, relErr(grads[k], fd), 1e-6);
  });
}
const a = program('p3.loss', SMALL['p3.loss']).evaluate();
const ga = Float64Array.from(a.grads[0]);
const b = program('p3-grad.loss', SMALL['p3.loss']).evaluate();
report('p3-grad.loss vs p3.loss: loss', Math.abs(a.objective - b.objective) / Math.abs(a.objective), 1e-12);
report('p3-grad.loss vs p3.loss: gradient', relErr(b.grads[0], ga), 1e-10);
process.exit(fails ? 1 : 0);
