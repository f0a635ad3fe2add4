// Syntax-error table (message and line:col), the diagnostic formatter, "did you mean" and the error gate.
import { describe, expect, it } from 'vitest';
import { Reporter, editDistance, formatDiagnostic, nearestName, parse } from '@descent/dsl';

/** Parses `source`, expects failure, returns the first diagnostic's `line:col: message`. */
function firstError(source: string): string {
  const r = parse(source, 'bad.loss');
  if (r.ok) throw new Error(`expected a syntax error in ${JSON.stringify(source)}`);
  const d = r.diagnostics[0];
  if (d === undefined) throw new Error('no diagnostic');
  return `${d.line}:${d.column}: ${d.message}${d.hint === undefined ? '' : ` (hint: ${d.hint})`}`;
}

const table: Array<[string, RegExp, RegExp]> = [
  ['loss = 2 *', /^1:11:/, /expected an expression after `\*`/],
  ['dim d = 5\nloss = x^', /^2:10:/, /expected an expression after `\^`/],
  ['dim d = 5\n\nlet v[d] = [1, 2', /^3:17:/, /unclosed `\[` opened at 3:12/],
  ['loss = f(x\nsteps 100', /^2:1:/, /unclosed `\(` opened at 1:9/],
  ['loss = f(x]', /^1:11:/, /expected `\)` to close `\(` opened at 1:9, found `\]`/],
  ['loss = x)', /^1:9:/, /unmatched `\)`/],
  ['lost = 3', /^1:1:/, /unknown statement `lost`.*did you mean `loss`/],
  ['metirc m = 1', /^1:1:/, /unknown statement `metirc`.*did you mean `metric`/],
  ['loss = a b', /^1:10:/, /unexpected `b`/],
  ['loss = x $ y', /^1:10:/, /unexpected character `\$`/],
  ['loss = `mu`', /^1:8:/, /unexpected character `\``/],
  ['loss = \u00b5 + 1', /^1:8:/, /unexpected character `\u00b5`.*ASCII/],
  ['loss = \\u0041', /^1:8:/, /unexpected character `\\`/],
  ['let s = load("x.csv)', /^1:14:/, /unterminated string/],
  ['loss = a < b < c', /^1:14:/, /comparisons cannot be chained/],
  ['loss = grad(x)', /^1:8:/, /`grad` takes 2 arguments/],
  ['loss = grad(x, 2)', /^1:16:/, /second argument of `grad` must be a name/],
  ['dim d', /^1:6:/, /expected `=`, found the end of the file/],
  ['param w[n, d] normal(0, 1)', /^1:15:/, /expected .*`~`.*found `normal`/],
  ['expect samples(10, stale)', /^1:20:/, /expected `fresh`, found `stale`/],
  ['claim final(loss) 3', /^1:19:/, /expected a comparison, found `3`/],
  ['optimizer gd(lr = )', /^1:19:/, /expected an expression after `=`/],
  ['+ x', /^1:1:/, /expected a statement, found `\+`/],
  ['loss = sum_ x', /^1:8:/, /`sum_` needs an index variable/],
  ['loss = sum_i', /^1:13:/, /expected an expression after `sum_i`/],
  ['loss = 2x', /^1:9:/, /unexpected `x` right after the number `2`.*2 \* x/],
  ['let = 3', /^1:5:/, /expected a name after `let`/],
  ['loss = a +\n\nsteps 3', /^3:7:/, /unexpected `3`.*continues the statement above/],
  ['loss = a +- b', /^1:10:/, /`\+-` \(a tolerance\) may only follow the value of a claim/],
  ['metric m[] = 1', /^1:10:/, /expected a name, found `\]`/],
  ['loss = ' + '('.repeat(5000), /^1:\d+:/, /nested too deeply/],
  ['loss = ' + '-'.repeat(5000) + 'x', /^1:1:/, /nested too deeply/],
];

describe('syntax errors', () => {
  it.each(table)('%j', (source, at, message) => {
    const e = firstError(source);
    expect(e).toMatch(at);
    expect(e).toMatch(message);
  });

  it('reports the right place in a LANGUAGE.md-sized file', () => {
    const src = 'dim d = 2\ndim n = 5\nparam mu[n, d] ~ normal(0, 1)\nloss = -E[logsumexp_i(-0.5 * |x - mu[i]|^2)\nsteps 10\n';
    expect(firstError(src)).toMatch(/^5:1: unclosed `\[` opened at 4:10/);
  });

  it('rejects oversized input without parsing it', () => {
    expect(firstError('x'.repeat(60_000))).toMatch(/file too large/);
  });
});

describe('formatDiagnostic', () => {
  it('prints file:line:col, the source line, carets and the hint', () => {
    const src = 'dim d = 2\nloss = |mux - 1|^2\n';
    const r = new Reporter(src, 'a.loss');
    expect(r.must(false, 'unknown name `mux`', { start: 18, end: 21 }, 'did you mean `mu`?')).toBe(false);
    expect(r.must(true, 'never', { start: 0, end: 0 })).toBe(true);
    expect(r.diagnostics).toHaveLength(1);
    expect(formatDiagnostic(r.diagnostics[0]!, src)).toBe(
      ['a.loss:2:9: error: unknown name `mux`', 'loss = |mux - 1|^2', '        ^~~', 'hint: did you mean `mu`?'].join('\n'));
  });

  it('keeps tabs for alignment and clips carets at the end of the line', () => {
    const src = '\tloss = a +\n b';
    const d = new Reporter(src).make('m', { span: { start: 8, end: 14 } });
    expect(formatDiagnostic(d, src).split('\n').slice(1)).toEqual(['\tloss = a +', '\t       ^~~']);
  });

  it('formats a syntax error from parse', () => {
    const src = 'loss = 2 *\n';
    const r = parse(src, 'x.loss');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(formatDiagnostic(r.diagnostics[0]!, src)).toBe('x.loss:1:11: error: expected an expression after `*`, found the end of the line\nloss = 2 *\n          ^');
  });
});

describe('nearestName', () => {
  it('suggests within a length-dependent distance', () => {
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(nearestName('mux', ['x', 'mu', 'mustar'])).toBe('mu');
    expect(nearestName('mstuar', ['mu', 'mustar'])).toBe('mustar');
    expect(nearestName('Mu', ['mu'])).toBe('mu');
    expect(nearestName('a', ['b', 'c'])).toBeUndefined();
    expect(nearestName('loss', ['steps', 'seed'])).toBeUndefined();
    expect(nearestName('relu_kernal', ['relu', 'relu_kernel'])).toBe('relu_kernel');
  });
});
