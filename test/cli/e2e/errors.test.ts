// Every error path of issue 4: one paragraph on stderr, the right exit code, never a stack trace.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { descent, descentInterrupted, fixture, readLog, readRunJson, scratch, STACK } from './helpers.js';

describe('descent errors', () => {
  it('a bad flag: exit 2 with a suggestion', () => {
    const r = descent(['run', 'quartic', '--stpes', '10']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('descent run: unknown flag --stpes. Did you mean --steps? Run `descent run --help` for the flags.\n');
  });

  it('an unknown model: exit 2, with the close names suggested', () => {
    const r = descent(['run', 'quartc']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^descent run: unknown model "quartc": not a prebuilt model and no such file\. Did you mean quartic\? Prebuilt models: .*quartic.*\n$/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('a missing .loss file: exit 2', () => {
    const r = descent(['check', 'nowhere/model.loss']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('descent check: no such file nowhere/model.loss.\n');
  });

  it('--set of an unknown name: exit 2, naming it with a suggestion', () => {
    const r = descent(['run', 'quartic', '--set', 'nn=3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^descent run: --set.*"nn".*quartic.*did you mean "n"\?/);
    expect(r.stderr).not.toMatch(STACK);
  });

  it('--set of an optimizer argument the optimizer does not take: exit 2', () => {
    const r = descent(['run', 'quartic', '--set', 'beta1=0.5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('descent run: --set beta1=0.5: the optimizer gd has no argument beta1; it takes lr.\n');
  });

  it('a compile error: exit 2, with file:line:col and a caret', () => {
    const r = descent(['run', fixture('bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${fixture('bad')}:4:9: error: unknown name \`wx\``);
    expect(r.stderr).toContain('loss = |wx|^2\n        ^~');
    expect(r.stderr).toContain('did you mean `w`?');
    expect(r.stderr).not.toMatch(STACK);
  });

  it('an --out that cannot be written: exit 2', () => {
    const cwd = scratch();
    fs.writeFileSync(path.join(cwd, 'file'), 'x');
    const r = descent(['run', 'quartic', '--steps', '10', '--out', 'file/sub'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('descent run: cannot write to --out file/sub: a part of the path is a file, not a folder.\n');
    const r2 = descent(['run', 'quartic', '--steps', '10', '--out', 'file'], { cwd });
    expect(r2.code).toBe(2);
    expect(r2.stderr).toBe('descent run: cannot write to --out file: it is a file, not a folder.\n');
  });

  it('bad --params for eval: exit 2 naming the parameter and the mismatch', () => {
    const cwd = scratch();
    fs.writeFileSync(path.join(cwd, 'p.json'), JSON.stringify({ w: [1, 2] }));
    const r = descent(['eval', 'quartic', '--params', 'p.json'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('p.json: w has 2 entries, want 3 (w has shape [3]).\n');
    fs.writeFileSync(path.join(cwd, 'q.json'), JSON.stringify({ w: [1, 2, 3], v: 1 }));
    expect(descent(['eval', 'quartic', '--params', 'q.json'], { cwd }).stderr).toMatch(/gives "v", which is not a parameter of the model; its parameters are w\./);
    fs.writeFileSync(path.join(cwd, 'r.json'), '{"w": [1, 2,');
    expect(descent(['eval', 'quartic', '--params', 'r.json'], { cwd }).stderr).toMatch(/^descent eval: cannot read --params r\.json: not valid JSON/);
  });

  it('a diverging run: exit 3, naming the step and the parameter, the log kept', () => {
    const cwd = scratch();
    const r = descent(['run', fixture('diverge'), '--out', 'd'], { cwd });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/descent run: diverge diverged at step 5: the gradient of w is not finite\. The log up to there is in d\/log\.jsonl/);
    const log = readLog(path.join(cwd, 'd'));
    expect(log.map((x) => x.step)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(log[5]!.loss).toBeNull();
    expect(log[5]!.nonfinite).toEqual({ loss: 'Infinity' });
    const j = readRunJson(path.join(cwd, 'd'));
    expect(j['status']).toBe('diverged');
    expect(j['summary']['divergence']).toEqual({ step: 5, what: 'gradient of w' });
    expect(j['params']['w'].every((x: unknown) => typeof x === 'number' && Number.isFinite(x))).toBe(true);
  });

  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${signal} stops at a step boundary: the log so far, run.json marked interrupted, exit ${code}`, async () => {
      const cwd = scratch();
      const dir = path.join(cwd, 'int');
      const r = await descentInterrupted(['run', fixture('forever'), '--out', dir], signal, path.join(dir, 'log.jsonl'), cwd);
      expect(r.code).toBe(code);
      expect(r.stderr).toMatch(new RegExp(`descent run: interrupted \\(${signal}\\) at step \\d+ of 1000000000; the log so far is in .*log\\.jsonl and run\\.json is marked "interrupted"`));
      expect(r.stderr).not.toMatch(STACK);
      const j = readRunJson(dir);
      expect(j['status']).toBe('interrupted');
      expect(j['summary']['status']).toBe('interrupted');
      expect(j['summary']['step']).toBeGreaterThan(0);
      const text = fs.readFileSync(path.join(dir, 'log.jsonl'), 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      const log = readLog(dir);
      expect(log.length).toBeGreaterThan(1);
      expect(log[log.length - 1]!.step).toBeLessThanOrEqual(j['summary']['step']);
      expect(fs.existsSync(path.join(dir, 'loss.svg'))).toBe(true);
    });
  }

  it('--force does not replace a folder standing where a run file goes: exit 2', () => {
    const cwd = scratch();
    const dir = path.join(cwd, 'x');
    fs.mkdirSync(path.join(dir, 'log.jsonl'), { recursive: true });
    const r = descent(['run', 'quartic', '--steps', '10', '--out', 'x', '--force'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('descent run: --force cannot replace x/log.jsonl: it is a folder.\n');
  });
});
