// Long sums matched a term at a time give the plain parse's tree and errors, exactly: compared on
// every corpus file, on generated expressions and on mutated files, with the threshold lowered to
// two terms so that nearly every sum takes the term-at-a-time path.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { descentGrammar, layout, parse, type Expr } from '@descent/dsl';
import { findLongSums, parseWithLongSums } from '../../packages/dsl/src/long-sums.js';
import { createSemantics } from '../../packages/dsl/src/semantics.js';
import { mutatedSeed, seeds } from '../fuzz/mutate.js';

const grammar = descentGrammar();
const semantics = createSemantics(grammar);
const plain = (text: string, file = 't.loss') => parse(text, file, { longSumTerms: 0 });
const bySums = (text: string, file = 't.loss') => parse(text, file, { longSumTerms: 2 });
/** The term-at-a-time parse alone (null: it stepped aside for the plain parse). */
const termwise = (text: string) => parseWithLongSums(layout(text).cooked, grammar, semantics, 2);

describe('long sums, term at a time', () => {
  it('every corpus file parses to the same tree, spans included (and most take the term-at-a-time path)', () => {
    let taken = 0;
    for (const seed of seeds) {
      const text = seed.bytes.toString('utf8');
      const expected = plain(text, seed.file);
      expect(bySums(text, seed.file), seed.name).toEqual(expected);
      const direct = termwise(text);
      if (direct !== null) {
        taken++;
        expect(expected.ok && { ...direct, file: seed.file, source: text }, seed.name).toEqual(expected.ok && expected.program);
      }
    }
    console.log(`long sums: ${taken} of ${seeds.length} corpus files parsed with their sums term at a time`);
    expect(taken).toBeGreaterThan(seeds.length / 2);
  });

  it('generated statements: the same tree or the same diagnostics', () => {
    let taken = 0;
    fc.assert(
      fc.property(statement, (text) => {
        expect(bySums(text)).toEqual(plain(text));
        if (termwise(text) !== null) taken++;
      }),
      { numRuns: 1500, seed: 20261203 },
    );
    console.log(`long sums: ${taken} of 1500 generated statements parsed term at a time`);
    expect(taken).toBeGreaterThan(300);
  });

  it('mutated corpus files: the same tree or the same diagnostics', () => {
    fc.assert(
      fc.property(mutatedSeed, ({ seed, bytes }) => {
        const text = bytes.toString('utf8');
        expect(bySums(text, seed.file)).toEqual(plain(text, seed.file));
      }),
      { numRuns: 600, seed: 20261204 },
    );
  });

  it('a 4,000-term sum: found as one run, folded to the left, spans exact', () => {
    const terms = Array.from({ length: 4000 }, (_, k) => (k % 3 === 0 ? `w[${k % 7}]` : k % 3 === 1 ? `0.5 * x` : `-sin(w[1])^2`));
    const text = `param w[7] ~ normal(0, 1)\nlet x = 2\nloss = ${terms.join(' + ')} - 1`;
    const { cooked } = layout(text);
    const runs = findLongSums(cooked, 32);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.terms).toHaveLength(4001);
    const r = parse(text, 't.loss');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const loss = r.program.statements[2];
    if (loss?.kind !== 'LossStmt') throw new Error('not a loss');
    let e: Expr = loss.body;
    let depth = 0;
    while (e.kind === 'Binary' && (e.op === '+' || e.op === '-')) {
      expect(text.slice(e.opSpan.start, e.opSpan.end)).toBe(e.op);
      expect(text.slice(e.right.span.start, e.right.span.end)).toBe(depth === 0 ? '1' : terms[4000 - depth]);
      e = e.left;
      depth++;
    }
    expect(depth).toBe(4000);
    expect(text.slice(e.span.start, e.span.end)).toBe('w[0]');
  });

  it('an error inside a long sum is reported where the plain parse reports it', () => {
    const sum = (k: number, bad: string) => Array.from({ length: 1000 }, (_, i) => (i === k ? bad : 'w')).join(' + ');
    for (const text of [
      `param w ~ normal(0, 1)\nloss = ${sum(900, '* w')}`,
      `param w ~ normal(0, 1)\nloss = ${sum(500, '(w')}`,
      `param w ~ normal(0, 1)\nloss = ${sum(10, 'grad(w)')}`,
      `param w ~ normal(0, 1)\nloss = ${sum(999, 'w')} +`,
      `param w ~ normal(0, 1)\nloss = ${sum(0, 'w < w < w')}`,
    ]) {
      const r = parse(text, 't.loss');
      expect(r.ok).toBe(false);
      expect(r).toEqual(plain(text));
    }
  });
});

// ---- generated statements: every construct a term can hold, with random spacing

const space = fc.constantFrom('', ' ', ' ', '  ');
const tok = (...parts: Array<fc.Arbitrary<string> | string>): fc.Arbitrary<string> =>
  fc.tuple(...parts.map((p) => (typeof p === 'string' ? fc.constant(p) : p)), fc.array(space, { minLength: parts.length, maxLength: parts.length }))
    .map((xs) => {
      const spaces = xs[xs.length - 1] as unknown as string[];
      return (xs.slice(0, -1) as string[]).map((x, i) => x + (spaces[i] ?? '')).join('').trimEnd();
    });

const atom = fc.oneof(
  fc.constantFrom('w', 'x', 'mu', 'E', 'n', 'where', 'sum_i', '_q', 'inf'),
  fc.constantFrom('1', '0.5', '.5', '1e-3', '2e+5', '3E2', '7.', '1e', '12'),
);
const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((t) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atom,
    atom,
    tok(t('e'), fc.constantFrom('+', '-', '+', '-', '*', '/', '@', '^', '+-', '<', '=='), t('e')),
    fc.array(t('e'), { minLength: 2, maxLength: 6 }).chain((es) =>
      fc.array(fc.constantFrom(' + ', ' - ', '+', '-', ' +', '- '), { minLength: es.length - 1, maxLength: es.length - 1 })
        .map((ops) => es.map((e, i) => (i === 0 ? e : `${ops[i - 1]}${e}`)).join(''))),
    tok(fc.constantFrom('-', '+', 'sum_i ', 'sum_{i, j} ', 'softmax_i ', 'mean_k'), t('e')),
    tok('(', t('e'), ')'),
    tok('[', t('e'), ',', t('e'), ']'),
    tok('|', t('e'), '|'),
    tok('E[', t('e'), ']'),
    tok(fc.constantFrom('exp', 'f', 'where', 'grad', 'log'), '(', t('e'), fc.constantFrom('', ', x', ', w', ', 1, 2'), ')'),
    tok(fc.constantFrom('w', 'x'), '[', t('e'), fc.constantFrom('', ':', ': 2', ', i'), ']'),
    tok(t('e'), "'"),
    tok('"a+b"'),
  ),
})).e;

const statement = fc.oneof(
  expr.map((e) => `loss = ${e}`),
  fc.tuple(expr, expr).map(([a, b]) => `let v = ${a} where u = ${b}`),
  fc.tuple(expr, expr).map(([a, b]) => `f(x) = ${a} + ${b}`),
  fc.tuple(expr, expr).map(([a, b]) => `claim final(m) = ${a} +- ${b}`),
  fc.tuple(expr, expr).map(([a, b]) => `metric m[i] = ${a} + ${b}`),
  expr.map((e) => `optimizer gd(lr = ${e}, ${e})`),
  expr.map((e) => `param w[n] = ${e}`),
  expr.map((e) => `maximize ${e}`),
  expr.map((e) => `steps ${e}`),
  expr.map((e) => `dim n = ${e}, m = 2`),
  fc.tuple(expr, expr).map(([a, b]) => `loss = ${a}\nmetric q = ${b} # ${a}`),
  fc.tuple(expr, expr).map(([a, b]) => `loss = ${a} +\n  ${b}`),
  expr.map((e) => e),
);
