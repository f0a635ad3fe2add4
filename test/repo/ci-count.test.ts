// scripts/ci-count.mjs: CI's closing line counts files that failed to load, suite errors, missing reports.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without types
import { countAll, countReport } from '../../scripts/ci-count.mjs';

type Count = { passed: number; failed: number; notes: string[] };
const count = countReport as (report: unknown, name?: string) => Count;
const countDir = countAll as (dir: string, expected?: string[], failed?: string[], only?: boolean) => Count;
const script = new URL('../../scripts/ci-count.mjs', import.meta.url).pathname;
/** A real vitest 4 report: one file threw at import, one threw in afterAll, one passed (3 tests passed). */
const failedToLoad = JSON.parse(fs.readFileSync(new URL('./fixtures/vitest-report-failed-to-load.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const green = { numPassedTests: 5, numFailedTests: 0, success: true, testResults: [{ name: 'a.test.ts', status: 'passed', message: '', assertionResults: [{ status: 'passed' }] }] };

function tempDir(files: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-count-'));
  for (const [name, value] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), typeof value === 'string' ? value : JSON.stringify(value));
  return dir;
}

describe('ci-count', () => {
  it('counts a file that failed at import, and one whose hook threw, as failures', () => {
    const c = count(failedToLoad, '.vitest-report.json');
    expect(c.passed).toBe(3);
    expect(c.failed).toBe(2);
    expect(c.notes.join('\n')).toMatch(/broken\.test\.ts: cannot load/);
    expect(c.notes.join('\n')).toMatch(/hook\.test\.ts: teardown failed/);
  });

  it('counts a failed run with no failed file as one failure, and a green one as none', () => {
    expect(count({ ...green, success: false }).failed).toBe(1);
    expect(count(green)).toEqual({ passed: 5, failed: 0, notes: [] });
    expect(count({ numPassedTests: 1 }).failed).toBe(1); // not a report
  });

  it('sums every .vitest-report*.json, and counts a missing expected report and a failed command', () => {
    const dir = tempDir({ '.vitest-report.json': green, '.vitest-report-packaging.json': green, 'other.json': failedToLoad });
    expect(countDir(dir)).toMatchObject({ passed: 10, failed: 0 });
    expect(countDir(dir, ['.vitest-report.json', '.vitest-report-slurm.json'])).toMatchObject({ passed: 10, failed: 1 });
    expect(countDir(dir, [], ['.vitest-report-packaging.json'])).toMatchObject({ passed: 10, failed: 1 });
    expect(countDir(dir, ['.vitest-report.json'], [], true)).toMatchObject({ passed: 5, failed: 0 });
    fs.writeFileSync(path.join(dir, '.vitest-report-browser.json'), '{"numPassed');
    expect(countDir(dir)).toMatchObject({ passed: 10, failed: 1 });
  });

  it('prints "N passed, M failed" last and exits 1, run as CI runs it, on a run with a file that failed to load', () => {
    const dir = tempDir({ '.vitest-report.json': failedToLoad, '.vitest-report-packaging.json': green });
    const r = spawnSync(process.execPath, [script, '--dir', dir, '--expect', '.vitest-report.json'], { encoding: 'utf8' });
    expect(r.stdout.trim().split('\n').at(-1)).toBe('8 passed, 2 failed');
    expect(r.status).toBe(1);
    const ok = spawnSync(process.execPath, [script, '--dir', tempDir({ '.vitest-report.json': green })], { encoding: 'utf8' });
    expect(ok.stdout.trim().split('\n').at(-1)).toBe('5 passed, 0 failed');
    expect(ok.status).toBe(0);
  });
});
