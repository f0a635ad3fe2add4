// compile(source, { data }) from JavaScript, hosts for `load`, and named parameters trained with the library's Adam.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Random, tensor } from '@descent/autodiff';
import { adam } from '@descent/autodiff/optim';
import { compile, CompileError, compileSource, filesHost } from '@descent/dsl';
import * as browser from '../../packages/dsl/src/browser.js';

const dir = mkdtempSync(path.join(tmpdir(), 'descent-compile-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// least squares with a bias: the data come from a file, from JavaScript, or from files in memory
const SOURCE = `dim n = 6, d = 2
let X[n, d] = load("x.csv")
let y[n] = load("y.json")
param w[d] ~ normal(0, 1)
param b = 0
loss = mean_{i}((sum_{j}(X[i, j] * w[j]) + b - y[i])^2)
`;
const X = new Random(1).randn([6, 2]);
const y = new Random(2).randn([6]);
const csv = Array.from({ length: 6 }, (_, i) => `${X.data[2 * i]},${X.data[2 * i + 1]}`).join('\n');
const json = JSON.stringify(Array.from(y.data));
writeFileSync(path.join(dir, 'x.csv'), csv);
writeFileSync(path.join(dir, 'y.json'), json);

describe('data from JavaScript takes the place of load', () => {
  it('gives the program the file would give, bit for bit', () => {
    const fromFile = compile(SOURCE, { file: path.join(dir, 'model.loss') });
    const fromData = compile(SOURCE, { data: { X, y: Array.from(y.data) } });
    const fromMemory = browser.compile(SOURCE, { host: filesHost({ 'x.csv': csv, 'y.json': new TextEncoder().encode(json) }) });
    const losses = [fromFile, fromData, fromMemory].map((p) => p.valueAndGrad()[0]);
    expect(losses[1]).toBe(losses[0]);
    expect(losses[2]).toBe(losses[0]);
  });

  it('returns a program with named parameters that the library optimizers train', () => {
    const program = compile(SOURCE, { data: { X, y } });
    expect(Object.keys(program.parameters)).toEqual(['w', 'b']);
    expect(program.parameters['w']!.shape).toEqual([2]);
    // compile() initializes: w ~ normal(0, 1) from the seed, as `descent run` starts it
    expect(program.parameters['w']!.data.some((x) => x !== 0)).toBe(true);
    const opt = adam(program.parameters, { lr: 0.05 });
    const [first, g] = program.valueAndGrad();
    expect(Object.keys(g)).toEqual(['w', 'b']);
    let last = first;
    for (let t = 0; t < 500; t++) {
      const [value, grads] = program.valueAndGrad();
      expect(grads).toBe(g); // the same tree each call: the optimizer's leaf cache holds
      last = value;
      opt.update(program.parameters, grads);
    }
    // the least-squares optimum, by the normal equations on [X 1]
    const ref = leastSquares();
    expect(last).toBeLessThan(first);
    expect(Math.abs(last - ref)).toBeLessThan(1e-6);
    // the program's own buffers moved: params[] is what the CLI reads
    expect(Array.from(program.params[0]!)).toEqual(Array.from(program.parameters['w']!.data));
  });

  it('names bad data: an unknown name, a wrong shape, a Float32Array, ragged arrays', () => {
    const messages = (data: Record<string, unknown>): string[] => {
      const r = compileSource(SOURCE, { data: data as never });
      return r.ok ? [] : r.diagnostics.map((d) => `${d.message}${d.hint ? ` (${d.hint})` : ''}`);
    };
    expect(messages({ X, y, Z: 1 })).toEqual(['data.Z: the file has no `let Z = load(...)` to take it (the file loads X, y)']);
    expect(messages({ x: X, y })).toEqual(['data.x: the file has no `let x = load(...)` to take it (did you mean `X`?)']);
    expect(messages({ X: tensor([1, 2, 3]), y })).toEqual(['data.X: the value has shape [3], declared [6, 2]']);
    expect(messages({ X: new Float32Array(12), y })[0]).toMatch(/^data\.X is a Float32Array, which has no shape/);
    expect(messages({ X: [[1, 2], [3]], y })[0]).toMatch(/^data\.X: /);
    expect(() => compile(SOURCE, { data: { X, y, Z: 1 } })).toThrow(CompileError);
  });

  it('without data or a host, the browser entry says how to give the values', () => {
    const r = browser.compileSource(SOURCE);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.diagnostics[0]!.message).toBe(
        'load("x.csv"): x.csv: this compile has no file reader; pass the values with compile(source, { data: { NAME: tensor } }) or the files\' bytes with { host: filesHost({ "x.csv": bytes }) }',
      );
    }
  });

  it('a files host names the files it has', () => {
    const r = browser.compileSource(SOURCE, { host: filesHost({ 'x.csv': csv }) });
    expect(r.ok ? '' : r.diagnostics[0]!.message).toBe('load("y.json"): y.json: no such file (the files given are x.csv)');
  });
});

/** min over (w, b) of mean((X w + b − y)²), by the 3×3 normal equations solved with Cramer's rule. */
function leastSquares(): number {
  const rows = Array.from({ length: 6 }, (_, i) => [X.data[2 * i]!, X.data[2 * i + 1]!, 1]);
  const A = [0, 1, 2].map((r) => [0, 1, 2].map((c) => rows.reduce((s, row) => s + row[r]! * row[c]!, 0)));
  const v = [0, 1, 2].map((r) => rows.reduce((s, row, i) => s + row[r]! * y.data[i]!, 0));
  const det = (m: number[][]): number =>
    m[0]![0]! * (m[1]![1]! * m[2]![2]! - m[1]![2]! * m[2]![1]!) - m[0]![1]! * (m[1]![0]! * m[2]![2]! - m[1]![2]! * m[2]![0]!) + m[0]![2]! * (m[1]![0]! * m[2]![1]! - m[1]![1]! * m[2]![0]!);
  const D = det(A);
  const sol = [0, 1, 2].map((k) => det(A.map((row, r) => row.map((x, c) => (c === k ? v[r]! : x)))) / D);
  return rows.reduce((s, row, i) => s + (row[0]! * sol[0]! + row[1]! * sol[1]! + sol[2]! - y.data[i]!) ** 2, 0) / 6;
}
