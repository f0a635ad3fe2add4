// Golden tests: the exact text of compile errors and their hints (file:line:col, caret, hint), one
// per kind of mistake: operators from other languages, grad of a param, step, slices, index values, claims.
import { describe, expect, it } from 'vitest';
import { compileSource, formatDiagnostics } from '@descent/dsl';

/** name → [source, the exact diagnostics it gives]. */
const GOLDEN: Record<string, readonly [string, string]> = {
  "power written **": [
    "param w ~ normal(0, 1)\nloss = w ** 2",
    "model.loss:2:10: error: `**` is not an operator here\nloss = w ** 2\n         ^~\nhint: write powers with `^`: `x^2`",
  ],
  "transpose written .T": [
    "dim d = 2\nparam A[d, d] ~ normal(0, 1)\nloss = |A.T @ A|^2",
    "model.loss:3:10: error: `.T` is not the transpose here\nloss = |A.T @ A|^2\n         ^~\nhint: write the transpose with a quote: `A'`",
  ],
  "grad of a param": [
    "param w ~ normal(0, 1)\nloss = grad(w^2, w)^2",
    "model.loss:2:18: error: `grad` differentiates with respect to a function argument, a `where` name, a `let` or a `sample`; `w` is a param\nloss = grad(w^2, w)^2\n                 ^\nhint: bind it with `where` and differentiate that: `grad(e, v) where v = w`, with e written in `v`",
  ],
  "a let named step": [
    "let step = 1\nparam w ~ normal(0, 1)\nloss = w^2",
    "model.loss:1:5: error: `step` is a reserved name: it is the number of optimizer steps taken\nlet step = 1\n    ^~~~\nhint: choose another name; `step` is the built-in step counter",
  ],
  "one bad let, one error": [
    "dim d = 3\nlet A[d, 2] = randn(d, 3)\nparam w[d] ~ normal(0, 1)\nloss = |w|^2 + sum(A)\nmetric m = sum(A) + 1",
    "model.loss:2:15: error: let A: declared shape [3, 2], but the value has shape [3, 3]\nlet A[d, 2] = randn(d, 3)\n              ^~~~~~~~~~~",
  ],
  "a slice out of range": [
    "dim d = 3\nparam w[d] ~ normal(0, 1)\nloss = |w[1:5]|^2",
    "model.loss:3:11: error: slice [1:5] is out of range for an axis of size 3\nloss = |w[1:5]|^2\n          ^~~\nhint: the bounds must satisfy 0 <= a < b <= 3",
  ],
  "a slice bound that is not constant": [
    "dim d = 3\nparam w[d] ~ normal(0, 1)\nlet k = 2 * 1.5\nloss = |w[:k]|^2",
    "model.loss:4:12: error: the bounds of a slice are integer constants: numbers and dims\nloss = |w[:k]|^2\n           ^\nhint: write `X[0:k]` with a dim `k`; positions that vary are picked with `onehot` or `where`",
  ],
  "an optimizer argument over a param": [
    "param w ~ normal(0, 1)\nloss = w^2\noptimizer gd(lr = 0.1 * w)",
    "model.loss:3:25: error: optimizer arguments are numbers, lets, dims and `step`; `w` is a param\noptimizer gd(lr = 0.1 * w)\n                        ^\nhint: a schedule is written with `step`: `lr = 0.5 / sqrt(1 + step)`",
  ],
  "a metric as a claim value": [
    "param w ~ normal(0, 1)\nloss = w^2\nmetric a = w\nclaim final(a) < a",
    "model.loss:4:18: error: `a` is a metric: claim something of its measurement, as in `final(a)`\nclaim final(a) < a\n                 ^",
  ],
  "an intermediate as a claim value": [
    "param w ~ normal(0, 1)\nlet g = 2 * w\nloss = w^2\nclaim final(loss) < g",
    "model.loss:4:21: error: the value a claim compares with must be a number known before the run; `g` depends on a param\nclaim final(loss) < g\n                    ^\nhint: use numbers, dims, lets that do not depend on params, and built-in functions",
  ],
  "a vector metric without an element": [
    "dim d = 3\nparam w[d] ~ normal(0, 1)\nloss = |w|^2\nmetric n[i] = w[i]\nclaim final(n) < 1",
    "model.loss:5:13: error: metric `n` is a vector: name one element, as in `n[0]`, or every element with `n[*]`\nclaim final(n) < 1\n            ^",
  ],
  "an index value without a known range": [
    "dim d = 3\nparam w[d] ~ normal(0, 1)\nloss = sum_i i * (2 * w)[i]",
    "model.loss:3:14: error: the range of `i` is not known where it is used as a value\nloss = sum_i i * (2 * w)[i]\n             ^\nhint: index a named tensor with it in the same expression, as in `sum_i i * w[i]`",
  ],
  "x[*] of a scalar metric": [
    "param w ~ normal(0, 1)\nloss = w^2\nmetric a = w\nclaim final(a[*]) < 1",
    "model.loss:4:13: error: metric `a` is a number: it has no elements\nclaim final(a[*]) < 1\n            ^~~~",
  ],
  "a measurement inside a function": [
    "param w ~ normal(0, 1)\nloss = w^2\nmetric a = w\nclaim final(loss) < log(final(a))",
    "model.loss:4:25: error: the value a claim compares with must be a number known before the run; a measurement such as `final(...)` may only be added, subtracted, multiplied or divided\nclaim final(loss) < log(final(a))\n                        ^~~~~~~~",
  ],
  "a metric named step": [
    "param w ~ normal(0, 1)\nloss = w^2\nmetric step = w",
    "model.loss:3:8: error: `step` is a reserved name: it is the number of optimizer steps taken\nmetric step = w\n       ^~~~\nhint: choose another name; `step` is the built-in step counter",
  ],
  "grad with respect to step": [
    "param w ~ normal(0, 1)\nloss = grad(w * step, step)",
    "model.loss:2:23: error: `step` carries no gradient: it is the step counter\nloss = grad(w * step, step)\n                      ^~~~",
  ],
  "step in a claim": [
    "param w ~ normal(0, 1)\nloss = w^2\nclaim final(loss) < step",
    "model.loss:3:21: error: the value a claim compares with must be a number known before the run; `step` changes during it\nclaim final(loss) < step\n                    ^~~~",
  ],
};

describe('golden compile error messages', () => {
  it.each(Object.entries(GOLDEN))('%s', (_name, [source, expected]) => {
    const r = compileSource(source, { file: 'model.loss' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(formatDiagnostics(r.diagnostics, source)).toBe(expected);
  });

  it('one bad `let` gives one error, not a cascade of unknown names', () => {
    const source = GOLDEN['one bad let, one error']![0];
    const r = compileSource(source, { file: 'model.loss' });
    expect(r.ok ? [] : r.diagnostics.map((x) => x.message)).toEqual(['let A: declared shape [3, 2], but the value has shape [3, 3]']);
  });
});
