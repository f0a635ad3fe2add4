// The CLI side of the language's second edition: eval --step, schedules in run.json, check's
// warnings and counts, the sampling flags, sweeping the optimizer, an interrupted run's claims.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { descent, descentInterrupted, fixture, readRunJson, scratch, STACK } from './helpers.js';

/** Writes a model into a fresh folder; returns the folder and the model's path. */
function model(text: string, name = 'm.loss'): { cwd: string; file: string } {
  const cwd = scratch();
  const file = path.join(cwd, name);
  fs.writeFileSync(file, text);
  return { cwd, file };
}

const SCHEDULED = 'dim d = 3\nparam w[d] ~ normal(0, 1)\nloss = 0.5 * |w|^2\nmetric g = |w| * sqrt(1 + step)\noptimizer gd(lr = 0.5 / sqrt(1 + step))\nsteps 50\nclaim final(loss) < 1\n';

describe('step and schedules on the command line', () => {
  it('`descent eval --step T` evaluates with step = T (default 0)', () => {
    const { cwd, file } = model(SCHEDULED);
    const at = (args: string[]): number => (JSON.parse(descent(['eval', file, '--json', ...args], { cwd }).stdout) as { metrics: { g: number } }).metrics.g;
    const g0 = at([]);
    expect(at(['--step', '3'])).toBeCloseTo(2 * g0, 12);
    expect(at(['--step', '0'])).toBe(g0);
  });

  it('a scheduled run interrupted (SIGINT) and resumed ends bit-identical to the run without a stop', async () => {
    const { cwd, file } = model('dim d = 3\nparam w[d] ~ normal(1, 0.3)\nloss = sum_i w[i]^4 + 0.1 * |w|^2\nmetric g = |w| * (1 + step)\noptimizer momentum(lr = 0.02 / sqrt(1 + step / 100), beta = 0.9 * min(1, (step + 1) / 50))\nsteps 200000\nlog 60\n');
    const dir = path.join(cwd, 'int');
    const r = await descentInterrupted(['run', file, '--quiet', '--out', dir], 'SIGINT', path.join(dir, 'log.jsonl'), cwd);
    expect(r.code).toBe(130);
    const stoppedAt = (readRunJson(dir)['summary'] as { step: number }).step;
    expect(stoppedAt).toBeLessThan(200000);
    expect(stoppedAt).toBeGreaterThan(0);
    const resumed = descent(['resume', dir, '--quiet'], { cwd });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(descent(['run', file, '--quiet', '--out', 'ref'], { cwd }).code).toBe(0);
    const ref = readRunJson(path.join(cwd, 'ref'));
    expect(readRunJson(dir)['paramsF64']).toEqual(ref['paramsF64']);
    const last = (d: string): string => fs.readFileSync(path.join(d, 'log.jsonl'), 'utf8').trimEnd().split('\n').at(-1)!.replace(/"elapsed":[^,}]*/, '');
    expect(last(dir)).toBe(last(path.join(cwd, 'ref')));
  }, 120_000);

  it('a run shows and records the schedule; --set lr replaces it by a number', () => {
    const { cwd, file } = model(SCHEDULED);
    const r = descent(['run', file, '--out', 'a'], { cwd });
    expect(r.code).toBe(0);
    expect(readRunJson(path.join(cwd, 'a'))['optimizerText']).toBe('gd(lr=0.5 / sqrt(1 + step))');
    expect(descent(['run', file, '--out', 'b', '--set', 'lr=0.1', '--quiet'], { cwd }).code).toBe(0);
    expect(readRunJson(path.join(cwd, 'b'))['optimizerText']).toBe('gd(lr=0.1)');
  });
});

describe('descent check', () => {
  it('warns before the run about a claim window past the last step', () => {
    const { cwd, file } = model('param w ~ normal(0, 1)\nloss = w^2\noptimizer gd(lr = 0.1)\nsteps 200\nclaim slope(loss, 1e2, 1e4) < 0\n');
    const r = descent(['check', file], { cwd });
    expect(r.stdout).toContain('warning: claim on line 5 (slope(loss, 1e2, 1e4) < 0): window [100, 1e4] ends after the last step 200; it will fail');
  });

  it('says when a gradient difference may be explained by `stop`', () => {
    const { cwd, file } = model('dim d = 3\nparam w[d] ~ normal(0, 1)\nloss = sum_i w[i] * stop(w[i])\n');
    const r = descent(['check', file], { cwd });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('note: the model uses `stop(...)`, which blocks gradients on purpose; finite differences of the loss see through it, so a difference here may be explained by `stop`');
    const plain = model('dim d = 3\nparam w[d] ~ normal(0, 1)\nloss = sum_i w[i] * w[i]\n');
    expect(descent(['check', plain.file], { cwd: plain.cwd }).stdout).not.toContain('note:');
  });

  it('counts only descended parameters as learnable', () => {
    const { cwd, file } = model('dim d = 3\nparam w[d] ~ normal(0, 1)\nparam c[d] ~ normal(0, 1)\nloss = |w - c|^2\nupdate c = 0.5 * c\n');
    const r = descent(['check', file, '--json'], { cwd });
    const j = JSON.parse(r.stdout) as { learnableCount: number; parameterCount: number };
    expect([j.learnableCount, j.parameterCount]).toEqual([3, 6]);
    expect(descent(['check', file], { cwd }).stdout).toContain('3 learnable values (and 3 replaced by update rules)');
  });
});

describe('sampling flags: --samples N and --fixed/--fresh are independent', () => {
  const expectOf = (args: string[]): unknown => {
    const cwd = scratch();
    const r = descent(['run', fixture('sampled'), '--steps', '5', '--out', 'r', '--quiet', ...args], { cwd });
    expect(r.stderr).not.toMatch(STACK);
    return (readRunJson(path.join(cwd, 'r'))['settings'] as { expect: unknown }).expect;
  };
  it('each flag changes only what it names, and run.json records the result', () => {
    expect(expectOf([])).toEqual({ kind: 'samples', count: 8, fresh: false });
    expect(expectOf(['--samples', '20'])).toEqual({ kind: 'samples', count: 20, fresh: false });
    expect(expectOf(['--fresh'])).toEqual({ kind: 'samples', count: 8, fresh: true });
    expect(expectOf(['--samples', '20', '--fresh'])).toEqual({ kind: 'samples', count: 20, fresh: true });
    expect(expectOf(['--fixed', '--samples', '30'])).toEqual({ kind: 'samples', count: 30, fresh: false });
  });
  it('--fixed with --fresh is refused', () => {
    const r = descent(['run', fixture('sampled'), '--fixed', '--fresh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--fixed keeps one sample batch and --fresh draws a new one every step: give one of them.');
  });
});

describe('sweeping the optimizer', () => {
  it('`--optimizer gd,momentum,adam` with `--set adam.lr=...`: one run per optimizer, named in the table', () => {
    const cwd = scratch();
    const plan = descent(['sweep', fixture('quartic'), '--optimizer', 'gd,momentum,adam', '--set', 'adam.lr=0.01,0.03', '--plan'], { cwd });
    expect(plan.stdout.split('\n')[0]).toBe('4 runs: optimizer ∈ {gd, momentum, adam} × adam.lr ∈ {0.01, 0.03}');
    const r = descent(['sweep', fixture('quartic'), '--optimizer', 'gd,momentum,adam', '--set', 'adam.lr=0.01,0.03', '--steps', '50', '--out', 'sw', '--jobs', '1'], { cwd });
    expect(r.stderr).not.toMatch(STACK);
    const csv = fs.readFileSync(path.join(cwd, 'sw', 'summary.csv'), 'utf8').trimEnd().split('\n');
    expect(csv[0]!.split(',').slice(0, 4)).toEqual(['index', 'run', 'optimizer', 'lr']);
    expect(csv.slice(1).map((l) => l.split(',').slice(2, 4).join(' '))).toEqual(['gd ', 'momentum ', 'adam 0.01', 'adam 0.03']);
    const runs = ['0_optimizer=gd', '1_optimizer=momentum', '2_optimizer=adam_lr=0.01'].map((d) => readRunJson(path.join(cwd, 'sw', d))['optimizerText'] as string);
    expect(runs.map((t) => t.split('(')[0])).toEqual(['gd', 'momentum', 'adam']);
    expect(runs[2]).toContain('lr=0.01');
  });
});

describe('claims of a run that did not complete', () => {
  it('a diverged run: verify reports its claims as NOT CHECKED and fails', () => {
    const { cwd, file } = model('param w ~ normal(0, 1)\nloss = w^2\noptimizer gd(lr = 3)\nsteps 1000\nclaim final(loss) < 1\n');
    const r = descent(['verify', file, '--out', 'v'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^FAIL {2}m: diverged at step \d+: .*, 1 claim not checked/m);
    expect(r.stdout).toMatch(/^m {6}final\(loss\) < 1 {12}NOT CHECKED \(diverged at step \d+/m);
    expect(readRunJson(path.join(cwd, 'v', 'm'))['summary']['slope']).toBeNull();
  });

  it('an interrupted run reports its claims as not checked, never as passing', async () => {
    const cwd = scratch();
    const file = path.join(cwd, 'f.loss');
    fs.writeFileSync(file, `${fs.readFileSync(fixture('forever'), 'utf8')}claim final(loss) > 0\nclaim min(loss) >= 0\n`);
    const dir = path.join(cwd, 'out');
    const r = await descentInterrupted(['run', file, '--out', dir], 'SIGINT', path.join(dir, 'log.jsonl'), cwd);
    expect(r.code).toBe(130);
    const j = readRunJson(dir);
    const summary = j['summary'] as { allClaimsPass: boolean; claims: Array<{ notChecked?: boolean; pass: boolean }>; finalLoss: number };
    expect(summary.allClaimsPass).toBe(false);
    expect(summary.claims.map((c) => [c.notChecked, c.pass])).toEqual([[true, false], [true, false]]);
    expect(r.stdout + r.stderr).toContain('claims: 2 not checked (the run did not complete)');
    expect(r.stdout + r.stderr).not.toContain('pass');
  });
});
