// `descent check` and `descent eval`: shapes, the gradient check, and eval agreeing with it bit-reproducibly.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { descent, fixture, scratch } from './helpers.js';

describe('descent check', () => {
  it('prints shapes and the parameter count, checks the gradient, exits 0', () => {
    const r = descent(['check', 'quartic']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('param w[3]  3 values');
    expect(r.stdout).toContain('metric coord[3]');
    expect(r.stdout).toMatch(/3 learnable values/);
    expect(r.stdout).toMatch(/OK {4}w {2}gradient \S+ {2}differences \S+ {2}relative error \S+/);
    expect(r.stdout).toMatch(/all is well\n$/);
  });

  it('checks a maximized objective too, and applies --set', () => {
    const r = descent(['check', fixture('maximize'), '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { ok: boolean; gradientCheck: { param: string; ok: boolean; relError: number }[] };
    expect(j.ok).toBe(true);
    expect(j.gradientCheck.map((c) => c.param)).toEqual(['a', 'b']);
    for (const c of j.gradientCheck) expect(c.relError).toBeLessThanOrEqual(1e-6);
    expect(descent(['check', 'quartic', '--set', 'n=7']).stdout).toContain('param w[7]  7 values');
  });

  it('exits 2 on a compile error', () => {
    expect(descent(['check', fixture('bad')]).code).toBe(2);
  });
});

describe('descent eval', () => {
  const cwd = scratch();

  it('prints loss, gradient and metrics at the initialization, bit-identical across runs', () => {
    const a = descent(['eval', 'quartic', '--json'], { cwd });
    const b = descent(['eval', 'quartic', '--json'], { cwd });
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const j = JSON.parse(a.stdout) as { loss: number; grad: { w: number[] }; metrics: { size: number; coord: number[] } };
    expect(Object.keys(j)).toEqual(['loss', 'grad', 'metrics']);
    expect(j.grad.w).toHaveLength(3);
    expect(j.metrics.coord).toHaveLength(3);
  });

  it('evaluates at --params and agrees with the exact gradient and with check’s finite differences', () => {
    fs.writeFileSync(path.join(cwd, 'p.json'), JSON.stringify({ w: [0.5, -1, 2] }));
    const r = descent(['eval', 'quartic', '--params', 'p.json', '--json'], { cwd });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { loss: number; grad: { w: number[] }; metrics: { size: number } };
    expect(j.loss).toBe(0.5 ** 4 + 1 + 16);
    expect(j.grad.w).toEqual([4 * 0.125, -4, 32]);
    expect(j.metrics.size).toBeCloseTo(Math.sqrt(0.25 + 1 + 4), 14);
    // check's directional derivative at the initialization, against eval's gradient there
    const init = JSON.parse(descent(['eval', 'quartic', '--json'], { cwd }).stdout) as { grad: { w: number[] } };
    const check = JSON.parse(descent(['check', 'quartic', '--json'], { cwd }).stdout) as { gradientCheck: { numeric: number; direction: number[] }[] };
    const c = check.gradientCheck[0]!;
    const dot = init.grad.w.reduce((s, g, i) => s + g * c.direction[i]!, 0);
    expect(Math.abs(dot - c.numeric) / Math.abs(dot)).toBeLessThan(1e-6);
  });

  it('reports the gradient of a maximized objective as written', () => {
    fs.writeFileSync(path.join(cwd, 'm.json'), JSON.stringify({ a: 0.5, b: [1, 2] }));
    const r = descent(['eval', fixture('maximize'), '--params', 'm.json', '--json'], { cwd });
    const j = JSON.parse(r.stdout) as { loss: number; grad: { a: number; b: number[] } };
    // f = -(a-1)^2 - |b|^2 + a b0: df/da = -2(a-1) + b0, df/db = -2b + [a, 0]
    expect(j.loss).toBe(-0.25 - 5 + 0.5);
    expect(j.grad.a).toBe(2);
    expect(j.grad.b).toEqual([-1.5, -4]);
  });

  it('reads a run.json as --params (its final parameters)', () => {
    const dir = path.join(cwd, 'run');
    expect(descent(['run', 'quartic', '--steps', '50', '--quiet', '--out', dir], { cwd }).code).toBe(0);
    const r = descent(['eval', 'quartic', '--params', path.join(dir, 'run.json')], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^loss {2}\S+\nmetrics\n {2}size .*\n {2}coord {2}\[.*\]\ngradient\n {2}w {2}\[.*\]\n$/);
  });
});
