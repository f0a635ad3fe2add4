// Compile cost grows with the file, not exponentially: shared function calls, shared nested grad,
// long sums lowered and rewritten without recursion, and a node budget that stops with an error.
import { describe, expect, it } from 'vitest';
import { compileSource, MAX_GRAPH_NODES } from '@descent/dsl';
import { scalar } from '@descent/autodiff';

/** Tensors created while compiling (ids are handed out in order). */
function compiled(source: string, maxGraphNodes?: number): { ok: boolean; nodes: number; ms: number; messages: string[] } {
  const first = scalar(0).id;
  const t0 = performance.now();
  const r = compileSource(source, { file: 'cost.loss', ...(maxGraphNodes === undefined ? {} : { maxGraphNodes }) });
  const ms = performance.now() - t0;
  const nodes = scalar(0).id - first;
  return { ok: r.ok, nodes, ms, messages: r.ok ? [] : r.diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`) };
}

/** f_k(x) = f_{k-1}(x) + f_{k-1}(x): 2^k copies of f_0 when inlined without sharing. */
export function chainedFunctions(levels: number): string {
  const lines = ['param w ~ normal(0, 1)', 'f0(x) = x * x'];
  for (let k = 1; k <= levels; k++) lines.push(`f${k}(x) = f${k - 1}(x) + f${k - 1}(x)`);
  lines.push(`loss = f${levels}(w) * 1e-18`);
  return lines.join('\n');
}

/** g_k(x) = grad(g_{k-1}(x), x): the k-th derivative of g_0. */
export function nestedGrad(levels: number, g0: string, loss = (g: string) => `${g}^2`): string {
  const lines = ['param w ~ normal(0, 1)', `g0(x) = ${g0}`];
  for (let k = 1; k <= levels; k++) lines.push(`g${k}(x) = grad(g${k - 1}(x), x)`);
  lines.push(`loss = ${loss(`g${levels}(w)`)}`);
  return lines.join('\n');
}

/** The same over a vector: g_k(x[d]) = sum(grad(g_{k-1}(x), x)), differentiated in reverse mode. */
export function nestedVectorGrad(levels: number): string {
  const lines = ['dim d = 3', 'param w[d] ~ normal(0, 1)', 'g0(x[d]) = sum(exp(x) * sin(x))'];
  for (let k = 1; k <= levels; k++) lines.push(`g${k}(x[d]) = sum(grad(g${k - 1}(x), x))`);
  lines.push(`loss = g${levels}(w)^2`);
  return lines.join('\n');
}

describe('compile cost', () => {
  it('60 levels of chained function calls compile to a graph linear in the levels', () => {
    const r = compiled(chainedFunctions(60));
    console.log(`chained functions, 60 levels: ${r.nodes} nodes, ${r.ms.toFixed(0)} ms`);
    expect(r.messages).toEqual([]);
    expect(r.nodes).toBeLessThan(2000);
    expect(r.ms).toBeLessThan(20_000); // generous: the machine may be busy; the printed number is the measurement
  });

  it('30 nested grad of sin and of a polynomial compile (shared subgraphs)', () => {
    for (const g0 of ['sin(x)', 'x^3 / 6']) {
      const r = compiled(nestedGrad(30, g0));
      console.log(`30 nested grad of ${g0}: ${r.nodes} nodes, ${r.ms.toFixed(0)} ms`);
      expect(r.messages).toEqual([]);
      expect(r.nodes).toBeLessThan(2_000);
      expect(r.ms).toBeLessThan(20_000);
    }
  });

  it('30 nested grad of exp(x) * sin(x) compile to the closed form, the graph growing linearly in the levels', () => {
    // d^n/dx^n e^x sin x = 2^(n/2) e^x sin(x + n pi/4)
    const closed = (n: number, x: number): number => 2 ** (n / 2) * Math.exp(x) * Math.sin(x + (n * Math.PI) / 4);
    const sizes = new Map<number, number>();
    for (const n of [10, 15, 30]) {
      const source = nestedGrad(n, 'exp(x) * sin(x)', (g) => g);
      const first = scalar(0).id;
      const t0 = performance.now();
      const p = compileSource(source, { file: 'cost.loss' });
      const ms = performance.now() - t0;
      sizes.set(n, scalar(0).id - first);
      console.log(`${n} nested grad of exp(x) * sin(x): ${sizes.get(n)} nodes, ${ms.toFixed(0)} ms`);
      expect(p.ok).toBe(true);
      if (!p.ok) continue;
      for (const x of [0.3, -1.1]) {
        p.program.params[0]!.fill(x);
        const { objective } = p.program.evaluate();
        expect(Math.abs(objective - closed(n, x))).toBeLessThan(1e-12 * Math.abs(closed(n, x)) + 1e-12);
      }
    }
    // linear: doubling the levels about doubles the graph (reverse over reverse grew 1.5x a level)
    expect(sizes.get(30)!).toBeLessThan(1000);
    expect(sizes.get(30)! / sizes.get(15)!).toBeLessThan(3);
  });

  it('nested grad over a vector (reverse mode, still exponential) stops at the compile budget with a located error, promptly', () => {
    const r = compiled(nestedVectorGrad(20));
    console.log(`20 nested grad over a vector: stopped after ${r.nodes} nodes, ${r.ms.toFixed(0)} ms`);
    expect(r.ok).toBe(false);
    expect(r.messages[0]).toBe(`24:1: compiling this needs more than ${MAX_GRAPH_NODES.toLocaleString('en-US')} graph nodes, the compile budget`);
    expect(r.nodes).toBeLessThanOrEqual(MAX_GRAPH_NODES + 10);
    expect(r.ms).toBeLessThan(30_000);
  });

  it('the budget is an option; a function body over it names the statement being lowered', () => {
    const r = compiled('param w ~ normal(0, 1)\nlet a = 2\nloss = sin(w) + cos(w) + exp(w) + w * w', 4);
    expect(r.ok).toBe(false);
    expect(r.messages).toEqual(['3:1: compiling this needs more than 4 graph nodes, the compile budget']);
  });

  it('a 50,000-character sum (12,490 terms, the deepest left-nested sum the size limit allows) compiles, right', () => {
    const source = `param w ~ normal(0, 1)\nloss = ${new Array(12_490).fill('w').join(' + ')}`;
    expect(source.length).toBeGreaterThan(49_900);
    expect(source.length).toBeLessThanOrEqual(50_000);
    const first = scalar(0).id;
    const t0 = performance.now();
    const p = compileSource(source, { file: 'sum.loss' });
    const ms = performance.now() - t0;
    const nodes = scalar(0).id - first;
    console.log(`a ${source.length}-character sum: ${nodes} nodes, ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(60_000); // generous: the machine may be busy; bench/compile-cost.mjs measures
    expect(p.ok).toBe(true);
    // linear: a node per term and per gradient contribution (the gradient's ones are folded)
    expect(nodes).toBeLessThan(2 * 12_490 + 100);
    if (p.ok) {
      p.program.params[0]!.fill(0.5);
      const { objective, grads } = p.program.evaluate();
      expect(objective).toBe(12_490 * 0.5);
      expect(grads[0]![0]).toBe(12_490);
    }
  });

  it('a function that draws random constants is not shared: each call draws its own', () => {
    const p = compileSource('param w ~ normal(0, 1)\nr(x) = x + sum(randn(2))\nmetric d = r(w) - r(w)\nloss = w^2', { file: 'r.loss' });
    expect(p.ok).toBe(true);
    if (p.ok) {
      p.program.initialize();
      expect(p.program.metrics()['d']).not.toBe(0);
    }
  });
});
