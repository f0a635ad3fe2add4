// Resource guards: huge declarations and plans are refused at compile time, naming the sizes.
import { describe, expect, it } from 'vitest';
import { allocationCount } from '@descent/autodiff';
import { compileSource } from '@descent/dsl';

describe('memory limit', () => {
  it('refuses a declared shape larger than the limit before allocating it', () => {
    const before = allocationCount().elements;
    const r = compileSource('dim n = 100000\ndim d = 100000\nparam w[n, d] ~ normal(0, 1)\nloss = |w|^2', {
      file: 'big.loss',
      maxMemoryBytes: 1 << 30,
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.diagnostics[0]!.message).toMatch(/w\[100000, 100000\] holds 1\.00e\+10 values \(74\.5 GiB\), more than the memory limit of 1\.0 GiB/);
      expect(r.diagnostics[0]!.line).toBe(3);
    }
    expect(allocationCount().elements - before).toBeLessThan(1000);
  });

  it('refuses a plan whose intermediate buffers exceed the limit', () => {
    // |x - mu[i]|^2 over 20000 draws and 50 means: [20000, 50] intermediates at least (or
    // [20000, 50, 50] when the squared distance is not expanded)
    const source = [
      'dim d = 50', 'dim n = 50', 'param mu[n, d] ~ normal(0, 1)', 'sample x[d] ~ normal(0, 1)',
      'expect samples(20000)', 'loss = -E[logsumexp_i(-0.5 * |x - mu[i]|^2)]',
    ].join('\n');
    const r = compileSource(source, { file: 'plan.loss', maxMemoryBytes: 64 << 20 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics[0]!.message).toMatch(/needs up to [\d.]+ [MG]iB of buffers \(largest: \w+ \[20000, 50(, 50)?\].*more than the memory limit of 64\.0 MiB/);
  });

  it('refuses a quadrature grid that would explode', () => {
    const r = compileSource('dim d = 10\nparam m[d] ~ normal(0, 1)\nsample x[d] ~ normal(0, 1)\nexpect quadrature(20)\nloss = E[|x - m|^2]', {
      file: 'q.loss',
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics[0]!.message).toMatch(/quadrature\(20\) over 10 Gaussian coordinates needs 1\.02e\+13 draws/);
  });
});

describe('large constants while tracing', () => {
  it('are deferred to the plan, so an oversized program is refused before they are allocated', () => {
    // the gradient seed broadcast to [n, n] is a constant; it used to be computed while tracing
    const source = [
      'dim d = 5', 'dim n = 4000', 'let v[d] = onehot(d, 0)', 'param w[n, d] ~ normal(0, 1e-3)',
      'loss = 0.5 * (sum_{i,j} relu_kernel(w[i], w[j]) - 2 * sum_i relu_kernel(w[i], v) + relu_kernel(v, v))',
    ].join('\n');
    const before = allocationCount().elements;
    const r = compileSource(source, { file: 'big.loss', maxMemoryBytes: 32 << 20 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics[0]!.message).toMatch(/\[4000, 4000\].*more than the memory limit of 32\.0 MiB/);
    expect(allocationCount().elements - before).toBeLessThan(100_000);
  });

  it('are computed by the plan, the same every run', () => {
    // a fixed batch of 2.2 million draws: mean + std * z is a large constant (4.4M values)
    const source = [
      'dim d = 2', 'param m[d] = [0.5, -0.5]', 'sample x[d] ~ normal([1, 2], 1)', 'expect samples(2200000)',
      'loss = E[|x - m|^2]',
    ].join('\n');
    const r = compileSource(source, { file: 'fixed.loss' });
    if (!r.ok) throw new Error(r.diagnostics[0]!.message);
    r.program.initialize();
    const first = r.program.evaluate().objective;
    expect(r.program.evaluate().objective).toBe(first);
    // E|x - m|^2 = |mu - m|^2 + d = 0.25 + 6.25 + 2, up to sampling error
    expect(Math.abs(first - 8.5)).toBeLessThan(0.02);
    expect(r.program.describe()).toBeDefined();
  });
});
