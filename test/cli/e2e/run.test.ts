// `descent run`: the run folder, the printed summary, --json, reproducibility, overwrite protection.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { descent, fixture, readLog, readRunJson, scratch, STACK } from './helpers.js';

describe('descent run', () => {
  const cwd = scratch();
  const out = path.join(cwd, 'q');
  const r = descent(['run', 'quartic', '--out', out], { cwd });

  it('trains, prints the summary and exits 0', () => {
    expect(r.stderr).not.toMatch(STACK);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^quartic: completed 2,000 steps → /);
    expect(r.stdout).toMatch(/final loss\s+\S+/);
    expect(r.stdout).toMatch(/size\s+0\.0\d+/);
    expect(r.stdout).toMatch(/slope \(last decade\)\s+-1\.9\d/);
    expect(r.stdout).toMatch(/wall time\s+.*steps\/s/);
    expect(r.stdout).toMatch(/claims: 2\/2 pass/);
    expect(r.stdout).toMatch(/PASS {2}slope\(loss\) = -1\.9\d {2}\(want -2 ± 0\.1\)/);
    expect(r.stdout).toMatch(/[⠀-⣿]/); // the braille chart
  });

  it('writes log.jsonl with log-spaced records from step 0 to the last step', () => {
    const log = readLog(out);
    expect(log.length).toBe(60);
    expect(log[0]!.step).toBe(0);
    expect(log[log.length - 1]!.step).toBe(2000);
    expect(Object.keys(log[0]!).sort()).toEqual(['elapsed', 'loss', 'metrics', 'step']);
    expect(log[0]!.metrics['coord']).toHaveLength(3);
    expect(typeof log[0]!.metrics['size']).toBe('number');
  });

  it('writes run.json with settings, versions, nested parameters and the summary', () => {
    const j = readRunJson(out);
    expect(j['status']).toBe('completed');
    expect(j['settings']).toMatchObject({ seed: 0, steps: 2000, log: 60, optimizer: { name: 'gd', args: { lr: 0.05 } }, constants: { n: 3, c: 1 } });
    expect(j['versions']['node']).toBe(process.version);
    // which kernels computed the run (native results differ from WebAssembly ones in the last bits)
    expect(j['versions']['kernels']).toMatch(/^(native \((avx512|avx|generic)\)|WebAssembly \(native: .+\))$/);
    expect(j['versions']['@descent/cli']).toMatch(/^\d+\.\d+\.\d+/);
    expect(j['params']['w']).toHaveLength(3);
    expect(j['summary']['claims'].map((c: { pass: boolean }) => c.pass)).toEqual([true, true]);
    expect(j['summary']['slope']['value']).toBeCloseTo(-2, 1);
    expect(j['summary']['wallSeconds']).toBeGreaterThan(0);
  });

  it('writes loss.svg: log-log, labelled axes, titled by the model, the fitted slope in the legend', () => {
    const svg = fs.readFileSync(path.join(out, 'loss.svg'), 'utf8');
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('>quartic<');
    expect(svg).toContain('>step<');
    expect(svg).toContain('>loss<');
    expect(svg).toMatch(/fit t<tspan[^>]*>−1\.9\d<\/tspan> over \[200, 2000\]/);
    expect(svg).toContain('stroke-dasharray');
  });

  it('--json prints the summary as JSON on stdout', () => {
    const j = descent(['run', fixture('quartic'), '--out', path.join(cwd, 'json'), '--json', '--steps', '300']);
    expect(j.code).toBe(0);
    const s = JSON.parse(j.stdout) as Record<string, any>;
    expect(s).toMatchObject({ model: 'quartic', status: 'completed', step: 300, steps: 300 });
    expect(s['claims']).toHaveLength(2);
  });

  it('writes identical log.jsonl for the same run twice, apart from elapsed', () => {
    const a = path.join(cwd, 'same-a');
    const b = path.join(cwd, 'same-b');
    const args = ['run', 'quartic', '--seed', '7', '--steps', '500', '--set', 'n=4', '--quiet'];
    expect(descent([...args, '--out', a], { cwd }).code).toBe(0);
    expect(descent([...args, '--out', b], { cwd }).code).toBe(0);
    const strip = (d: string): string => readLog(d).map(({ elapsed: _, ...rest }) => JSON.stringify(rest)).join('\n');
    expect(strip(a)).toBe(strip(b));
    expect(readRunJson(a)['params']).toEqual(readRunJson(b)['params']);
    // and a different seed gives a different run
    const c = path.join(cwd, 'same-c');
    descent(['run', 'quartic', '--seed', '8', '--steps', '500', '--set', 'n=4', '--quiet', '--out', c], { cwd });
    expect(strip(c)).not.toBe(strip(a));
  });

  it('applies --steps, --lr, --optimizer, --log and --set, and records them', () => {
    const d = path.join(cwd, 'flags');
    const x = descent(['run', 'quartic', '--steps', '100', '--optimizer', 'momentum', '--lr', '0.01', '--log', '10', '--set', 'n=2', '--set', 'c=2', '--quiet', '--out', d], { cwd });
    expect(x.code).toBe(0);
    expect(x.stdout).toBe('');
    const j = readRunJson(d);
    expect(j['settings']).toMatchObject({ steps: 100, log: 10, optimizer: { name: 'momentum', args: { lr: 0.01, beta: 0.9 } }, constants: { n: 2, c: 2 } });
    expect(j['params']['w']).toHaveLength(2);
    expect(readLog(d)).toHaveLength(10);
  });

  it('writes to runs/<model>-<timestamp> by default', () => {
    const home = scratch();
    expect(descent(['run', 'quartic', '--steps', '10', '--quiet'], { cwd: home }).code).toBe(0);
    const dirs = fs.readdirSync(path.join(home, 'runs'));
    expect(dirs).toHaveLength(1);
    expect(dirs[0]).toMatch(/^quartic-\d{8}-\d{6}$/);
  });

  it('refuses to overwrite a run unless --force', () => {
    const again = descent(['run', 'quartic', '--steps', '10', '--out', out], { cwd });
    expect(again.code).toBe(2);
    expect(again.stderr).toBe(`descent run: --out ${out} holds a previous run; refusing to overwrite it. Pass --force to replace it, or choose another --out.\n`);
    const forced = descent(['run', 'quartic', '--steps', '10', '--out', out, '--force', '--quiet'], { cwd });
    expect(forced.code).toBe(0);
    expect(readLog(out)[readLog(out).length - 1]!.step).toBe(10);
  });
});
