// Parser tests: every LANGUAGE.md example parses; precedence, continuation and spans are as specified.
import { describe, expect, it } from 'vitest';
import { parse, type Expr, type Stmt } from '@descent/dsl';
import { codeBlocks, nodes, parseOk, strip, tableStatements } from './helpers.js';

const expr = (text: string): Expr => {
  const s = parseOk(`loss = ${text}`).statements[0];
  if (s?.kind !== 'LossStmt') throw new Error('not a loss');
  return s.body;
};
const stmt = (text: string): Stmt => {
  const s = parseOk(text).statements[0];
  if (s === undefined) throw new Error('no statement');
  return s;
};
const name = (n: string) => ({ kind: 'Name', name: n });
const num = (value: number) => ({ kind: 'Num', value });
const index = (target: string, ...ix: string[]) => ({ kind: 'Index', target: name(target), indices: ix.map(name) });

describe('LANGUAGE.md examples', () => {
  it('has the code blocks we expect', () => {
    expect(codeBlocks.length).toBeGreaterThanOrEqual(6);
    expect(tableStatements.length).toBeGreaterThanOrEqual(20);
  });

  it.each(codeBlocks.map((b, i) => [i, b] as const))('code block %i parses', (_, block) => {
    const program = parseOk(block);
    const lines = block.split('\n').filter((l) => /^[a-z]/.test(l)).length;
    expect(program.statements.length).toBe(lines);
  });

  it.each(tableStatements)('table example `%s` parses', (text) => {
    expect(parseOk(text).statements.length).toBe(1);
  });

  it('every span is trimmed, inside the source and inside its parent', () => {
    for (const block of codeBlocks) {
      const program = parseOk(block);
      for (const { node, parent } of nodes(program.statements)) {
        const text = block.slice(node.span.start, node.span.end);
        expect(text.length).toBeGreaterThan(0);
        expect(text).toBe(text.trim());
        if (parent !== null) {
          expect(node.span.start).toBeGreaterThanOrEqual(parent.span.start);
          expect(node.span.end).toBeLessThanOrEqual(parent.span.end);
        }
      }
    }
  });
});

describe('expressions', () => {
  it('-x^2 is neg(pow)', () => {
    expect(strip(expr('-x^2'))).toEqual({ kind: 'Unary', op: '-', operand: { kind: 'Binary', op: '^', left: name('x'), right: { ...num(2), text: '2' } } });
  });

  it('^ is right-associative and takes a signed exponent', () => {
    expect(strip(expr('a^b^c'))).toMatchObject({ op: '^', left: name('a'), right: { op: '^', left: name('b'), right: name('c') } });
    expect(strip(expr('x^-1'))).toMatchObject({ op: '^', right: { kind: 'Unary', op: '-', operand: num(1) } });
  });

  it('a reduction extends over the rest of the multiplicative term', () => {
    expect(strip(expr('sum_i a[i]*b[i] + c'))).toMatchObject({
      kind: 'Binary', op: '+',
      left: { kind: 'Reduce', op: 'sum', indices: [{ kind: 'Ident', name: 'i' }], body: { kind: 'Binary', op: '*', left: index('a', 'i'), right: index('b', 'i') } },
      right: name('c'),
    });
    expect(strip(expr('2 * sum_i x[i] * y[i]'))).toMatchObject({
      op: '*', left: num(2), right: { kind: 'Reduce', body: { op: '*', left: index('x', 'i'), right: index('y', 'i') } },
    });
    expect(strip(expr('sum_{i,j} A[i, j]'))).toMatchObject({ kind: 'Reduce', indices: [{ name: 'i' }, { name: 'j' }], body: index('A', 'i', 'j') });
    expect(strip(expr('max_{a} min_i |mu[i] - mustar[a]|'))).toMatchObject({
      kind: 'Reduce', op: 'max', body: { kind: 'Reduce', op: 'min', body: { kind: 'Norm' } },
    });
  });

  it('softmax binds its operand like a unary operator', () => {
    expect(strip(expr('sum_i softmax_i(l[i]) * mu[i]'))).toMatchObject({
      kind: 'Reduce', body: { kind: 'Binary', op: '*', left: { kind: 'Softmax', body: index('l', 'i') }, right: index('mu', 'i') },
    });
  });

  it("transpose, norms, @ and comparisons", () => {
    expect(strip(expr("A'"))).toEqual({ kind: 'Transpose', operand: name('A') });
    expect(strip(expr('|x|^2'))).toMatchObject({ kind: 'Binary', op: '^', left: { kind: 'Norm', operand: name('x') }, right: num(2) });
    expect(strip(expr("W1 @ W1' - W2' @ W2"))).toMatchObject({
      op: '-', left: { op: '@', right: { kind: 'Transpose' } }, right: { op: '@', left: { kind: 'Transpose' } },
    });
    expect(strip(expr('sum_i (|mu[i]| < 0.1)'))).toMatchObject({ kind: 'Reduce', body: { kind: 'Compare', op: '<' } });
    expect(strip(expr('a + b <= c'))).toMatchObject({ kind: 'Compare', op: '<=', left: { op: '+' } });
  });

  it('literals, calls, E, grad, stop', () => {
    expect(strip(expr('1e-7'))).toEqual({ kind: 'Num', value: 1e-7, text: '1e-7' });
    expect(strip(expr('[[1, 2], [3, 4]]'))).toMatchObject({ kind: 'Vector', elements: [{ kind: 'Vector' }, { kind: 'Vector' }] });
    expect(strip(expr('load("x.csv")'))).toMatchObject({ kind: 'Call', callee: { name: 'load' }, args: [{ kind: 'Str', value: 'x.csv' }] });
    expect(strip(expr('where(c, a, b)'))).toMatchObject({ kind: 'Call', callee: { name: 'where' } });
    expect(strip(expr('E[|grad(logp(x), x) + x|^2]'))).toMatchObject({
      kind: 'Expectation', body: { op: '^', left: { kind: 'Norm', operand: { op: '+', left: { kind: 'Grad', body: { kind: 'Call' }, wrt: { kind: 'Ident', name: 'x' } } } } },
    });
    expect(strip(expr('stop(x) * pi - inf'))).toMatchObject({ left: { left: { kind: 'Stop', body: name('x') }, right: name('pi') }, right: name('inf') });
  });

  it('keeps exact spans', () => {
    const src = 'loss = 0.5 * |w[i] - v|^2';
    const e = expr('0.5 * |w[i] - v|^2');
    expect(e.kind).toBe('Binary');
    if (e.kind !== 'Binary') return;
    expect(src.slice(e.span.start, e.span.end)).toBe('0.5 * |w[i] - v|^2');
    expect(src.slice(e.opSpan.start, e.opSpan.end)).toBe('*');
    expect(src.slice(e.right.span.start, e.right.span.end)).toBe('|w[i] - v|^2');
  });
});

describe('statements', () => {
  it('dim, let, param, sample', () => {
    expect(strip(stmt('dim n = 2, m = 1'))).toMatchObject({ kind: 'DimStmt', decls: [{ name: { name: 'n' }, value: num(2) }, { name: { name: 'm' } }] });
    expect(strip(stmt('let v[d] = onehot(d, 0)'))).toMatchObject({ kind: 'LetStmt', decl: { name: { name: 'v' }, shape: { dims: [{ kind: 'Ident', name: 'd' }] } } });
    expect(strip(stmt('param W1[d, d], W2[d, d] ~ normal(0, 0.1)'))).toMatchObject({
      kind: 'ParamStmt', decls: [{ name: { name: 'W1' } }, { name: { name: 'W2' } }], init: { kind: 'Distribution', name: { name: 'normal' }, args: [num(0), num(0.1)] },
    });
    expect(strip(stmt('param a = 1'))).toMatchObject({ kind: 'ParamStmt', decls: [{ shape: null }], init: { kind: 'InitValue', value: num(1) } });
    expect(strip(stmt('sample k ~ categorical(p)'))).toMatchObject({ kind: 'SampleStmt', dist: { name: { name: 'categorical' } } });
  });

  it('expect, functions, where, objective, metric, update', () => {
    expect(strip(stmt('expect samples(20000, fresh)'))).toMatchObject({ kind: 'ExpectStmt', method: 'samples', count: num(20000), fresh: true });
    expect(strip(stmt('expect samples(8)'))).toMatchObject({ method: 'samples', fresh: false });
    expect(strip(stmt('expect quadrature(48)'))).toMatchObject({ kind: 'ExpectStmt', method: 'quadrature', nodes: num(48) });
    expect(strip(stmt('f(a[d], t) = t * u where u = dot(a, a), v[d] = a'))).toMatchObject({
      kind: 'FuncStmt', params: [{ name: { name: 'a' }, shape: { dims: [{ name: 'd' }] } }, { name: { name: 't' }, shape: null }],
      where: [{ decl: { name: { name: 'u' } } }, { decl: { name: { name: 'v' }, shape: {} } }],
    });
    expect(strip(stmt('maximize E[x]'))).toMatchObject({ kind: 'LossStmt', sense: 'maximize' });
    expect(strip(stmt('metric norm[i] = |w[i]|'))).toMatchObject({ kind: 'MetricStmt', indices: [{ name: 'i' }], body: { kind: 'Norm' } });
    expect(strip(stmt('update pi = E[r]'))).toMatchObject({ kind: 'UpdateStmt', name: { name: 'pi' }, indices: [] });
  });

  it('optimizer, settings, claims', () => {
    expect(strip(stmt('optimizer adam(lr = 0.1, 0.9)'))).toMatchObject({
      kind: 'OptimizerStmt', args: [{ name: { name: 'lr' }, value: num(0.1) }, { name: null, value: num(0.9) }],
    });
    expect(strip(stmt('optimizer gd'))).toMatchObject({ kind: 'OptimizerStmt', args: [] });
    expect(strip(stmt('log 200'))).toEqual({ kind: 'SettingStmt', key: 'log', value: { kind: 'Num', value: 200, text: '200' } });
    expect(strip(stmt('log(t) = t'))).toMatchObject({ kind: 'FuncStmt' });
    expect(strip(stmt('claim slope(loss, 1e4, 1e5) = -3 +- 0.3'))).toMatchObject({
      kind: 'ClaimStmt', test: { name: 'slope' }, series: { name: { name: 'loss' }, indices: [] }, args: [num(1e4), num(1e5)],
      op: '=', value: { kind: 'Unary', op: '-', operand: num(3) }, tolerance: num(0.3),
    });
    expect(strip(stmt('claim final(converged) == 1'))).toMatchObject({ op: '==', tolerance: null, args: [] });
    expect(strip(stmt('claim final(norm[0]) >= 0'))).toMatchObject({ series: { indices: [num(0)] }, op: '>=' });
  });
});

describe('layout', () => {
  it('continues a statement across lines', () => {
    const p = parseOk([
      'loss = 0.5 * |S - W|^2      # first line',
      '     + a / 4 * (|W1|^2 +    # ends with an operator',
      '',
      '       |W2|^2)',
      '  where a = 2,',
      '        b = 3',
      'let v = [1,',
      '  2, 3]',
      'steps 10',
    ].join('\n'));
    expect(p.statements.map((s) => s.kind)).toEqual(['LossStmt', 'LetStmt', 'SettingStmt']);
    expect(strip(p.statements[0])).toMatchObject({ body: { op: '+', right: { op: '*' } }, where: [{}, {}] });
  });

  it('keeps offsets and locations of the original text', () => {
    const src = 'dim d = 2   # c\r\nloss = 1 +\r\n  x\r\n';
    const p = parseOk(src);
    const loss = p.statements[1];
    expect(loss?.kind).toBe('LossStmt');
    if (loss?.kind !== 'LossStmt') return;
    expect(src.slice(loss.body.span.start, loss.body.span.end)).toBe('1 +\r\n  x');
  });

  it('accepts empty and comment-only files', () => {
    expect(parseOk('').statements).toEqual([]);
    expect(parseOk('\n# nothing\n\n').statements).toEqual([]);
  });

  it('never starts a statement with an operator or where', () => {
    expect(parse('loss = 1\n- 2').ok).toBe(true);
    expect(parseOk('loss = a\nwhere a = 1').statements.length).toBe(1);
  });
});
