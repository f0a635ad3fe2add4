// Checker tests: a golden table of broken files (message and line:col), caret goldens, every
// LANGUAGE.md example checks clean, and check() never throws on mutated examples.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, parse, Reporter, type Diagnostic, type ProgramAst } from '@descent/dsl';
import { arityOf } from '../../packages/dsl/src/lower/builtins.js';
import { check } from '../../packages/dsl/src/check.js';
import { fencedBlocks, languageMd } from '../fixtures/language.js';

const blocks = fencedBlocks(languageMd);

function parsed(source: string): ProgramAst {
  const r = parse(source, 't.loss');
  if (!r.ok) throw new Error(`does not parse:\n${r.diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`).join('\n')}`);
  return r.program;
}

function checked(source: string, overrides?: Record<string, number>): Diagnostic[] {
  const program = parsed(source);
  const reporter = new Reporter(source, 't.loss');
  check(program, reporter, overrides === undefined ? {} : { overrides });
  return reporter.diagnostics;
}

const lines = (...ls: string[]): string => `${ls.join('\n')}\n`;
const W = 'dim d = 2\nparam w[d] ~ normal(0, 1)'; // lines 1-2 of many cases

/** [name, source, line:col, message]: some diagnostic must be at exactly that place with that message. */
const TABLE: Array<[string, string, RegExp, RegExp]> = [
  ['unknown name', lines('dim d = 2', 'param mu[d] ~ normal(0, 1)', 'loss = |mux|^2'), /^3:9$/, /unknown name `mux`/],
  ['unknown name in a function', lines(W, 'f(a[d]) = dot(a, b)', 'loss = f(w)'), /^3:18$/, /unknown name `b`/],
  ['used before defined', lines('dim d = 2', 'loss = |w|^2', 'param w[d] ~ normal(0, 1)'), /^2:9$/, /`w` is used before it is defined \(line 3\)/],
  ['used in its own definition', lines('let c = c + 1', 'loss = c'), /^1:9$/, /`c` is used in its own definition/],
  ['duplicate definition', lines(W, 'let w = 3', 'loss = |w|^2'), /^3:5$/, /`w` is already defined \(line 2\)/],
  ['duplicate in one param statement', lines('param a, a ~ normal(0, 1)', 'loss = a^2'), /^1:10$/, /`a` is already defined \(line 1\)/],
  ['duplicate metric', lines('param a ~ normal(0, 1)', 'loss = a^2', 'metric m = a', 'metric m = 2 * a'), /^4:8$/, /metric `m` is already defined \(line 3\)/],
  ['built-in arity', lines(W, 'loss = dot(w, w, w)'), /^3:8$/, /`dot` takes 2 arguments, got 3/],
  ['min arity', lines(W, 'loss = min(w, w, w)'), /^3:8$/, /`min` takes 1 or 2 arguments, got 3/],
  ['randn arity', lines(W, 'let B[d] = randn()', 'loss = |w|^2'), /^3:12$/, /`randn` takes at least 1 argument, got 0/],
  ['user function arity', lines(W, 'f(a[d], b[d]) = dot(a, b)', 'loss = f(w)'), /^4:8$/, /`f` takes 2 arguments, got 1/],
  ['unknown function', lines(W, 'loss = sigmoidd(dot(w, w))'), /^3:8$/, /unknown function `sigmoidd`/],
  ['a value called', lines(W, 'loss = w(2)'), /^3:8$/, /`w` is not a function: it is a param/],
  ['a function as a value', lines(W, 'f(a) = a^2', 'loss = f + 1'), /^4:8$/, /`f` is a function; call it as `f\(\.\.\.\)`/],
  ['recursion', lines('f(a) = f(a) + 1', 'param w ~ normal(0, 1)', 'loss = f(w)'), /^1:8$/, /`f` calls itself/],
  ['load of a non-string', lines('dim d = 2', 'let X[d] = load(d)', 'loss = sum(X)'), /^2:17$/, /`load` takes a file name in quotes/],
  ['string outside load', lines(W, 'loss = |w|^2 + "a"'), /^3:16$/, /a string can only be the argument of `load`/],
  ['no objective', lines(W, 'metric m = |w|'), /^4:1$/, /no objective/],
  ['two objectives', lines('param a ~ normal(0, 1)', 'loss = a^2', 'maximize -a^2'), /^3:1$/, /a second objective \(the first is on line 2\)/],
  ['grad of a param', lines('param a ~ normal(0, 1)', 'loss = grad(a^2, a)'), /^2:18$/, /`a` is a param/],
  ['grad of an unknown name', lines('param a ~ normal(0, 1)', 'f(t) = grad(t^2, s)', 'loss = f(a)'), /^2:18$/, /unknown name `s`/],
  ['draws of a param', lines(W, 'param mu[d] ~ draws(w)', 'loss = |mu|^2'), /^3:21$/, /`draws` takes a sample or a `let` that depends on one; `w` is a param/],
  ['draws of a constant let', lines('dim d = 2', 'let v[d] = onehot(d, 0)', 'param mu[d] ~ draws(v)', 'loss = |mu|^2'), /^3:21$/, /`v` is a let that does not depend on a sample/],
  ['unknown distribution', lines('dim d = 2', 'param w[d] ~ normall(0, 1)', 'loss = |w|^2'), /^2:14$/, /unknown distribution `normall`/],
  ['sample from a param-only distribution', lines(W, 'sample x[d] ~ uniform(0, 1)', 'loss = E[|w - x|^2]'), /^3:15$/, /a sample cannot be drawn from `uniform`/],
  ['distribution arity', lines('dim d = 2', 'param w[d] ~ normal(0)', 'loss = |w|^2'), /^2:14$/, /`normal` takes 2 arguments \(mean, std\), got 1/],
  ['categorical arity', lines('sample k ~ categorical()', 'param a ~ normal(0, 1)', 'loss = E[a * k]'), /^1:12$/, /`categorical` takes 1 argument \(p\), got 0/],
  ['expect twice', lines('param a ~ normal(0, 1)', 'expect samples(10)', 'expect quadrature(5)', 'loss = a^2'), /^3:1$/, /`expect` appears twice \(first on line 2\)/],
  ['samples not an integer', lines('param a ~ normal(0, 1)', 'expect samples(10.5)', 'loss = a^2'), /^2:16$/, /the number of samples must be a positive integer/],
  ['unknown optimizer', lines('param a ~ normal(0, 1)', 'loss = a^2', 'optimizer adamm(lr = 0.1)'), /^3:11$/, /unknown optimizer `adamm`/],
  ['unknown optimizer argument', lines('param a ~ normal(0, 1)', 'loss = a^2', 'optimizer adam(lr = 0.1, beta = 0.9)'), /^3:26$/, /`adam` has no argument `beta`/],
  ['too many positional optimizer arguments', lines('param a ~ normal(0, 1)', 'loss = a^2', 'optimizer gd(0.1, 0.9)'), /^3:19$/, /`gd` takes at most 1 argument/],
  ['steps twice', lines('param a ~ normal(0, 1)', 'loss = a^2', 'steps 100', 'steps 200'), /^4:1$/, /`steps` appears twice \(first on line 3\)/],
  ['unknown claim test', lines('param a ~ normal(0, 1)', 'loss = a^2', 'claim slop(loss, 1, 10) = -1 +- 0.1'), /^3:7$/, /unknown claim test `slop`/],
  ['unknown claim series', lines('param a ~ normal(0, 1)', 'loss = a^2', 'metric spread = |a|', 'claim final(sprad) < 1'), /^4:13$/, /unknown series `sprad`/],
  ['claim argument count', lines('param a ~ normal(0, 1)', 'loss = a^2', 'claim final(loss, 10) < 1'), /^3:7$/, /`final` takes only the series, got 1 more argument/],
  ['claim window of one', lines('param a ~ normal(0, 1)', 'loss = a^2', 'claim slope(loss, 10) = -1 +- 0.1'), /^3:7$/, /`slope` takes the series and a window of two steps/],
  ['+- without =', lines('param a ~ normal(0, 1)', 'loss = a^2', 'claim final(loss) < 1 +- 0.1'), /^3:26$/, /`\+-` only goes with `=`/],
  ['= without +-', lines('param a ~ normal(0, 1)', 'loss = a^2', 'claim final(loss) = 0'), /^3:19$/, /`=` in a claim needs a tolerance/],
  ['vector metric without an element', lines('dim n = 3', 'param w[n] ~ normal(0, 1)', 'loss = sum_i w[i]^2', 'metric m[i] = w[i]', 'claim final(m) < 1'), /^5:13$/, /metric `m` is a vector/],
  ['free index', lines('dim n = 3', 'param w[n] ~ normal(0, 1)', 'loss = w[i]^2'), /^3:10$/, /index `i` is free here: bind it with sum_i, or declare `metric name\[i\]`/],
  ['free index past the reduction', lines('dim n = 3', 'param w[n] ~ normal(0, 1)', 'loss = sum_i w[i] + w[i]'), /^3:23$/, /index `i` is free here/],
  ['unused reduction index', lines('dim n = 3', 'param w[n] ~ normal(0, 1)', 'loss = sum_i w[0]^2'), /^3:12$/, /`sum_i` binds `i`, but its body does not use it/],
  ['unused metric index', lines('dim n = 3', 'param w[n] ~ normal(0, 1)', 'loss = sum_i w[i]^2', 'metric m[i] = w[0]'), /^4:10$/, /`metric m\[i\]` binds `i`, but its body does not use it/],
  ['index bound twice', lines('dim n = 3', 'param w[n] ~ normal(0, 1)', 'loss = sum_{i,i} w[i]'), /^3:15$/, /index `i` appears twice in `sum_\{i,i\}`/],
  ['nested rebinding', lines('dim n = 3', 'param w[n] ~ normal(0, 1)', 'loss = sum_i sum_i w[i]'), /^3:18$/, /index `i` is already bound/],
  ['continuous sample as an index', lines('dim n = 3', 'param w[n] ~ normal(0, 1)', 'sample x ~ normal(0, 1)', 'loss = E[w[x]]'), /^4:12$/, /`x` cannot be an index: it is a continuous sample/],
  ['random value in the loss', lines(W, 'sample x[d] ~ normal(0, 1)', 'loss = |w - x|^2'), /^4:13$/, /random value `x` outside E\[\.\.\.\]/],
  ['random let in a metric', lines(W, 'sample x[d] ~ normal(0, 1)', 'let y[d] = 2 * x', 'loss = E[|w - y|^2]', 'metric m = |y|'), /^6:13$/, /random value `y` outside E/],
  ['random function in the loss', lines(W, 'sample x[d] ~ normal(0, 1)', 'f(a[d]) = dot(a, x)', 'loss = f(w)'), /^5:8$/, /random value `f` outside E/],
  ['random where name', lines(W, 'sample x[d] ~ normal(0, 1)', 'loss = t where t = |w - x|^2'), /^4:8$/, /random value `t` outside E/],
  ['random categorical index in an update', lines('dim m = 2', 'param p[m] ~ normal(0, 1)', 'sample k ~ categorical([0.5, 0.5])', 'loss = E[p[k]]', 'update p = p[k] * p'), /^5:14$/, /random value `k` outside E/],
  ['random param init', lines(W, 'sample x[d] ~ normal(0, 1)', 'param mu[d] = x', 'loss = |mu - w|^2'), /^4:15$/, /random value `x` outside E/],
  ['update of a let', lines('let c = 1', 'param a ~ normal(0, 1)', 'update c = a', 'loss = a^2'), /^3:8$/, /`update` replaces a param; `c` is a let/],
  ['shape with a let', lines('let M = 3', 'param w[M] ~ normal(0, 1)', 'loss = |w|^2'), /^2:9$/, /`M` is a let, not a dim/],
  ['unknown dim', lines('dim d = 2', 'param w[dd] ~ normal(0, 1)', 'loss = |w|^2'), /^2:9$/, /unknown dim `dd`/],
  ['dim not an integer', lines('dim d = 2.5', 'param w[d] ~ normal(0, 1)', 'loss = |w|^2'), /^1:9$/, /dim `d` must be a positive integer, not 2.5/],
  ['where names are sequential', lines(W, 'loss = t + u where t = u, u = |w|^2'), /^3:24$/, /unknown name `u`/],
  ['a metric used as a value', lines(W, 'metric m = |w|', 'loss = m^2'), /^4:8$/, /`m` is a metric/],
];

describe('check: golden table of broken files', () => {
  it('has at least 25 cases', () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(25);
  });

  it.each(TABLE)('%s', (_, source, at, message) => {
    const ds = checked(source);
    const found = ds.some((d) => at.test(`${d.line}:${d.column}`) && message.test(d.message));
    expect(found, `got:\n${ds.map((d) => `${d.line}:${d.column}: ${d.message}`).join('\n')}`).toBe(true);
  });
});

describe('check: formatted diagnostics', () => {
  const first = (source: string, overrides?: Record<string, number>): string => {
    const d = checked(source, overrides)[0];
    if (d === undefined) throw new Error('no diagnostic');
    return formatDiagnostic(d, source);
  };

  it('unknown name: caret under the name, with a suggestion', () => {
    expect(first(lines('dim d = 2', 'param mu[d] ~ normal(0, 1)', 'loss = |mux|^2'))).toBe([
      't.loss:3:9: error: unknown name `mux`',
      'loss = |mux|^2',
      '        ^~~',
      'hint: did you mean `mu`?',
    ].join('\n'));
  });

  it('wrong argument count: caret under the callee', () => {
    expect(first(lines(W, 'loss = dot(w, w, w)'))).toBe([
      't.loss:3:8: error: `dot` takes 2 arguments, got 3',
      'loss = dot(w, w, w)',
      '       ^~~',
    ].join('\n'));
  });

  it('random value: caret under the reference, advice in the hint', () => {
    expect(first(lines(W, 'sample x[d] ~ normal(0, 1)', 'loss = |w - x|^2'))).toBe([
      't.loss:4:13: error: random value `x` outside E[...]',
      'loss = |w - x|^2',
      '            ^',
      'hint: the loss, metrics and updates must be numbers: take the expectation, E[...]',
    ].join('\n'));
  });

  it('optimizer argument: suggestion among that optimizer\'s names', () => {
    expect(first(lines('param a ~ normal(0, 1)', 'loss = a^2', 'optimizer adam(lr = 0.1, beta = 0.9)'))).toBe([
      't.loss:3:26: error: `adam` has no argument `beta`',
      'optimizer adam(lr = 0.1, beta = 0.9)',
      '                         ^~~~',
      'hint: did you mean `beta1`?',
    ].join('\n'));
  });

  it('--set errors are reported at the start of the file', () => {
    expect(first(lines('dim n = 2', 'param w[n] ~ normal(0, 1)', 'loss = |w|^2'), { nn: 3 })).toBe([
      't.loss:1:1: error: --set: unknown name `nn`',
      'dim n = 2',
      '^',
      'hint: did you mean `n`?',
    ].join('\n'));
  });
});

describe('check: valid programs stay clean', () => {
  it.each([
    ['EM with an update rule over a declared `pi`', lines('dim d = 2', 'dim m = 2', 'param mu[m, d] ~ normal(0, 1)', 'param pi[m] = [0.5, 0.5]',
      'sample x[d] ~ normal(0, 1)', 'expect samples(1000)', 'loss = -E[logsumexp_k(log(pi[k]) - 0.5 * |x - mu[k]|^2)]',
      'update pi[k] = E[softmax_k(log(pi[k]) - 0.5 * |x - mu[k]|^2)]', 'metric big = sum_k (pi[k] > 0.1)')],
    ['functions, where, grad of a where name, constants, load, settings, windowed claims', lines('dim n = 3, d = 2', 'let c = 0.5',
      'let X[n, d] = load("x.csv")', 'param W[d, d] ~ uniform(-1, 1)', 'f(a[d], b) = dot(a, W @ a) * b where t = a, u = t * 2',
      'g(t) = grad(h^2, h) where h = 3 * t', 'maximize -sum_i f(X[i], c) / n + g(1) + pi + stop(|W|) + W[0, 1] + max_{i,j} X[i, j]',
      "metric tr = trace(W')", 'optimizer momentum(lr = 0.1, beta = 0.9)', 'steps 10', 'seed 3', 'log 5',
      'claim mean(loss) > -10', 'claim max(tr, 1, 5) < 10', 'claim slope(loss) = -1 +- 0.5')],
    ['a value named like a built-in function', lines('let max = 3', 'param a ~ normal(0, 1)', 'loss = max(a^2, max)')],
    ['a categorical sample as an index inside E', lines('dim m = 2', 'let p[m] = [0.3, 0.7]', 'sample k ~ categorical(p)',
      'param c[m] ~ normal(0, 1)', 'expect quadrature(3)', 'loss = E[c[k]^2]')],
  ])('%s', (_, source) => {
    expect(checked(source).map((d) => `${d.line}:${d.column}: ${d.message}`)).toEqual([]);
  });

  it('reports chained comparisons in an AST built without the parser', () => {
    // `(a < b) < c` parses; the same spans over text without the parentheses read as a chain
    const program = parsed('param a ~ normal(0, 1)\nloss = (a < 1) < 2\n');
    const source = 'param a ~ normal(0, 1)\nloss =  a < 1  < 2\n';
    const reporter = new Reporter(source, 't.loss');
    check({ ...program, source }, reporter, {});
    expect(reporter.diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`)).toEqual(['2:16: comparisons cannot be chained']);
  });

  it('walks very long sums and postfix chains without exhausting the stack', () => {
    const source = lines('dim d = 1', 'param w[d] ~ normal(0, 1)', `loss = ${'w[0]+'.repeat(8000)}w${"'".repeat(8000)}[0]`);
    expect(checked(source)).toEqual([]);
  });
});

describe('check: --set overrides', () => {
  const source = lines('dim d = 2', 'let c = -0.5', 'let v[d] = onehot(d, 0)', 'param w[d] ~ normal(0, 1)',
    'loss = c * |w - v|^2', 'optimizer momentum(0.1, beta = 0.9)');

  it('accepts dims, literal lets and optimizer arguments written in the file (named or positional)', () => {
    expect(checked(source, { d: 4, c: 2, lr: 0.01, beta: 0.5 })).toEqual([]);
  });

  it.each([
    [{ nn: 1 }, /^--set: unknown name `nn`$/],
    [{ v: 1 }, /^--set: `v` is not a number literal and cannot be overridden$/],
    [{ w: 1 }, /^--set: `w` is a param and cannot be overridden$/],
    [{ d: 2.5 }, /^--set d=2.5: a dim must be a positive integer$/],
    [{ eps: 1e-8 }, /^--set: unknown name `eps`$/],
  ] as Array<[Record<string, number>, RegExp]>)('rejects %o', (overrides, message) => {
    const ds = checked(source, overrides);
    expect(ds).toHaveLength(1);
    expect(ds[0]?.message).toMatch(message);
    expect(ds[0]?.span).toEqual({ start: 0, end: 0 });
  });
});

describe('check: LANGUAGE.md examples', () => {
  // a block without an objective is a fragment (the claims of section 6): it is checked appended
  // to the complete example whose metrics it names
  const complete = blocks.filter((b) => /^(loss\b|maximize\b)/m.test(b));
  const sources = blocks.map((b) => {
    if (complete.includes(b)) return b;
    const series = [...b.matchAll(/^claim \w+\((\w+)/gm)].map((m) => m[1] ?? '').filter((s) => s !== 'loss');
    const host = complete.find((c) => series.every((s) => new RegExp(`^metric ${s}\\b`, 'm').test(c)));
    return `${host ?? ''}${b}`;
  });

  it('found the six code blocks', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(6);
  });

  it.each(sources.map((s, i) => [i, s] as const))('code block %i checks without diagnostics', (_, source) => {
    const ds = checked(source);
    expect(ds.map((d) => formatDiagnostic(d, source))).toEqual([]);
  });

  it('the arity table covers every built-in function LANGUAGE.md lists', () => {
    const listed = /Built-in functions: `([^`]+)`/.exec(languageMd)?.[1]?.split(/\s+/) ?? [];
    expect(listed.length).toBeGreaterThan(20);
    for (const name of [...listed, 'angle', 'relu_kernel', 'where', 'load']) expect(arityOf(name), name).toBeDefined();
  });
});

describe('check: never throws', () => {
  const complete = blocks.filter((b) => /^(loss\b|maximize\b)/m.test(b));
  const TOKENS = ['i', 'j', 'x', 'mu', 'w', 'k', 'pi', '[', ']', '(', ')', ',', '|', "'", ' E[', ' sum_i ', ' softmax_i ', 'grad(',
    ' where t = 1', '\n', '0', '-', '*', '@', '~', '=', ' < ', 'load("a.csv")', 'metric q[i] = ', 'update '];
  const mutation = fc.oneof(
    fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...TOKENS) }),
    fc.record({ op: fc.constant('delete' as const), at: fc.nat(), text: fc.constant(''), len: fc.integer({ min: 1, max: 6 }) }),
    fc.record({ op: fc.constant('swapLines' as const), at: fc.nat(), text: fc.constant(''), other: fc.nat() }),
    fc.record({ op: fc.constant('dupLine' as const), at: fc.nat(), text: fc.constant('') }),
  );
  type Mutation = { op: 'insert' | 'delete' | 'swapLines' | 'dupLine'; at: number; text: string; len?: number; other?: number };

  function mutate(source: string, m: Mutation): string {
    const at = m.at % (source.length + 1);
    const ls = source.split('\n');
    const a = m.at % ls.length;
    switch (m.op) {
      case 'insert': return source.slice(0, at) + m.text + source.slice(at);
      case 'delete': return source.slice(0, at) + source.slice(at + (m.len ?? 1));
      case 'swapLines': {
        const b = (m.other ?? 0) % ls.length;
        [ls[a], ls[b]] = [ls[b] ?? '', ls[a] ?? ''];
        return ls.join('\n');
      }
      case 'dupLine': return [...ls.slice(0, a + 1), ...ls.slice(a)].join('\n');
    }
  }

  it('returns structured diagnostics for mutated examples that parse', () => {
    let parsedCount = 0;
    fc.assert(
      fc.property(fc.nat({ max: complete.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.dictionary(fc.constantFrom('d', 'n', 'lr', 'M', 'x', 'mu'), fc.double()), (which, ms, overrides) => {
          const source = ms.reduce((s, m) => mutate(s, m as Mutation), complete[which] ?? '');
          const r = parse(source, 'm.loss');
          if (!r.ok) return;
          parsedCount++;
          const reporter = new Reporter(source, 'm.loss');
          expect(() => check(r.program, reporter, { overrides })).not.toThrow();
          for (const d of reporter.diagnostics) {
            expect(d.line).toBeGreaterThanOrEqual(1);
            expect(d.column).toBeGreaterThanOrEqual(1);
            expect(d.message).not.toMatch(/internal checker error/);
            expect(() => formatDiagnostic(d, source)).not.toThrow();
          }
        }),
      { numRuns: 600, seed: 20240611 },
    );
    expect(parsedCount).toBeGreaterThan(100);
  });
});
