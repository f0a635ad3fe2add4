// `descent verify`, `descent plot` and `descent models`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { descent, fixture, scratch } from './helpers.js';

describe('descent verify', () => {
  it('runs each model and exits 0 when every claim holds, with a table of claims', () => {
    const cwd = scratch();
    const r = descent(['verify', 'quartic', '--out', 'v'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^model +claim +measured +result\nquartic +slope\(loss\) = -2 \+- 0\.1 +-1\.9\d+ +PASS\nquartic +final\(size\) < 0\.1 +0\.06\d+ +PASS\nall 1 model verified\n$/);
    expect(r.stderr).toMatch(/^PASS {2}quartic: completed/);
    expect(fs.existsSync(path.join(cwd, 'v', 'quartic', 'run.json'))).toBe(true);
  });

  it('exits 1 when a claim fails, and counts a diverged model as failed', () => {
    const cwd = scratch();
    const r = descent(['verify', 'quartic', fixture('failing-claim'), fixture('diverge'), '--out', 'v'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/failing-claim +slope\(loss\) = -5 \+- 0\.1 +-1\.\d+ +FAIL/);
    expect(r.stdout).toMatch(/diverge +no claims \(diverged at step 5: the gradient of w is not finite\) +FAIL/);
    expect(r.stdout).toMatch(/2 of 3 models failed\n$/);
  });

  it('--json gives the pass flag and every summary', () => {
    const r = descent(['verify', 'quartic', '--json', '--out', 'v'], { cwd: scratch() });
    const j = JSON.parse(r.stdout) as { pass: boolean; models: { model: string; summary: { claims: unknown[] } }[] };
    expect(j.pass).toBe(true);
    expect(j.models[0]!.summary.claims).toHaveLength(2);
  });
});

describe('descent plot', () => {
  const cwd = scratch();
  descent(['run', 'quartic', '--steps', '200', '--quiet', '--out', 'a'], { cwd });
  descent(['run', 'quartic', '--steps', '200', '--lr', '0.02', '--quiet', '--out', 'b'], { cwd });

  it('overlays runs into plot.svg in the current folder by default', () => {
    const r = descent(['plot', 'a', 'b'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('wrote plot.svg (2 runs, loss, log-log axes)\n');
    const svg = fs.readFileSync(path.join(cwd, 'plot.svg'), 'utf8');
    expect(svg).toContain('>a<');
    expect(svg).toContain('>b<');
    expect(svg).toContain('>quartic<');
  });

  it('plots a metric (a vector metric as one curve per component) to PNG', () => {
    const r = descent(['plot', 'a', '--metric', 'coord', '--out', 'coord.png', '--title', 'coordinates'], { cwd });
    expect(r.code).toBe(0);
    const png = fs.readFileSync(path.join(cwd, 'coord.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const svg = descent(['plot', 'a', '--metric', 'coord[1]', '--out', 'c1.svg'], { cwd });
    expect(svg.code).toBe(0);
    expect(fs.readFileSync(path.join(cwd, 'c1.svg'), 'utf8')).toContain('>coord[1]<');
  });

  it('errors: an unknown metric (with a suggestion), a folder without a log, a bad extension', () => {
    const m = descent(['plot', 'a', '--metric', 'sise'], { cwd });
    expect(m.code).toBe(2);
    expect(m.stderr).toBe('descent plot: the run a has no metric "sise". Did you mean size? Its metrics: size, coord (and loss).\n');
    const d = descent(['plot', 'nothing'], { cwd });
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/^descent plot: nothing does not exist/);
    expect(descent(['plot', 'a', '--out', 'x.pdf'], { cwd }).stderr).toBe('descent plot: --out x.pdf should end in .svg or .png.\n');
  });
});

describe('descent models and help', () => {
  it('lists the prebuilt models, one line each, from their first comment line', () => {
    const r = descent(['models']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^quartic +A tiny power law: gradient descent on sum_i w_i\^4 decays like t\^-2\.$/m);
    expect(r.stdout).toMatch(/^diverge +Diverges: /m);
  });

  it('prints help with examples', () => {
    const h = descent(['--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('descent run relu-neuron');
    const rh = descent(['run', '--help']);
    expect(rh.stdout).toMatch(/^Usage: descent run MODEL \[FLAGS\]/);
    expect(rh.stdout).toContain('Examples:');
  });
});
