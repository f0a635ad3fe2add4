// Every run folder reproduces itself: run.json holds the model's text and loaded files, and `descent run RUN_DIR` repeats it bit for bit.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { descent, fixture, readLog, readRunJson, scratch } from './helpers.js';

/** The log without the wall-clock field, for comparing two runs. */
const logOf = (dir: string): string => readLog(dir).map(({ elapsed: _, ...rest }) => JSON.stringify(rest)).join('\n');

/** Runs `descent run RUN_DIR --out again` and checks the two runs are the same, bit for bit. */
function expectRerunIdentical(cwd: string, first: string, again: string): Record<string, any> {
  const r = descent(['run', first, '--out', again, '--quiet'], { cwd });
  expect(r.code, r.stderr).toBe(0);
  const a = readRunJson(path.join(cwd, first));
  const b = readRunJson(path.join(cwd, again));
  expect(b['paramsF64']).toEqual(a['paramsF64']);
  expect(b['summary']['loss']).toBe(a['summary']['loss']);
  expect(logOf(path.join(cwd, again))).toBe(logOf(path.join(cwd, first)));
  expect(b['model']).toEqual(a['model']);
  expect(b['settings']).toEqual(a['settings']);
  expect(b['rerunOf']).toBe(path.join(cwd, first));
  return b;
}

describe('descent run RUN_DIR', () => {
  it('repeats a sampled run bit for bit from its run.json, which holds the model text', () => {
    const cwd = scratch();
    const r = descent(['run', fixture('sampled'), '--out', 'a', '--steps', '300', '--seed', '7', '--quiet'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const a = readRunJson(path.join(cwd, 'a'));
    expect(a['model']['source']).toBe(fs.readFileSync(fixture('sampled'), 'utf8'));
    expect(a['model']['loaded']).toBeUndefined();
    expectRerunIdentical(cwd, 'a', 'b');
  });

  it('repeats a run whose model came from standard input', () => {
    const cwd = scratch();
    const source = fs.readFileSync(fixture('quartic'), 'utf8');
    const r = descent(['run', '-', '--out', 'a', '--steps', '200', '--quiet'], { cwd, input: source });
    expect(r.code, r.stderr).toBe(0);
    const a = readRunJson(path.join(cwd, 'a'));
    expect(a['model']).toMatchObject({ name: 'stdin', file: '<stdin>', source });
    // run again from another folder, with nothing on standard input
    fs.mkdirSync(path.join(cwd, 'elsewhere'));
    const again = descent(['run', path.join(cwd, 'a'), '--out', path.join(cwd, 'b'), '--quiet'], { cwd: path.join(cwd, 'elsewhere'), input: '' });
    expect(again.code, again.stderr).toBe(0);
    expect(readRunJson(path.join(cwd, 'b'))['paramsF64']).toEqual(a['paramsF64']);
    expect(logOf(path.join(cwd, 'b'))).toBe(logOf(path.join(cwd, 'a')));
  });

  it('uses the loaded files as they were, even after they changed on disk', () => {
    const cwd = scratch();
    fs.mkdirSync(path.join(cwd, 'data'));
    fs.writeFileSync(path.join(cwd, 'data', 'y.csv'), 'y\n1\n2\n3.5\n');
    fs.writeFileSync(path.join(cwd, 'fit.loss'), 'dim n = 3\nlet y[n] = load("data/y.csv")\nparam w[n] ~ normal(0, 1)\nloss = sum_i (w[i] - y[i])^2\noptimizer gd(lr = 0.1)\nsteps 50\n');
    expect(descent(['run', 'fit.loss', '--out', 'a', '--quiet'], { cwd }).code).toBe(0);
    const a = readRunJson(path.join(cwd, 'a'));
    expect(a['model']['loaded']).toEqual([expect.objectContaining({ path: 'data/y.csv', resolved: path.join(cwd, 'data', 'y.csv'), bytes: 10, text: 'y\n1\n2\n3.5\n' })]);
    fs.writeFileSync(path.join(cwd, 'data', 'y.csv'), 'y\n9\n9\n9\n');
    fs.writeFileSync(path.join(cwd, 'fit.loss'), 'this file changed too\n');
    expectRerunIdentical(cwd, 'a', 'b');
  });

  it('takes flags on top of the recorded settings; refuses a folder without the model text', () => {
    const cwd = scratch();
    expect(descent(['run', fixture('quartic'), '--out', 'a', '--steps', '100', '--quiet'], { cwd }).code).toBe(0);
    expect(descent(['run', 'a', '--out', 'b', '--steps', '30', '--quiet'], { cwd }).code).toBe(0);
    expect(readRunJson(path.join(cwd, 'b'))['settings']['steps']).toBe(30);
    const j = readRunJson(path.join(cwd, 'a'));
    delete j['model']['source'];
    fs.writeFileSync(path.join(cwd, 'a', 'run.json'), JSON.stringify(j));
    const r = descent(['run', 'a', '--out', 'c'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^descent run: a\/run\.json does not hold its model's text/);
  });
});
