// `descent sweep` runs the seeds of one setting as one batched program: each seed's run equals its own (--no-batch) run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { descent, descentInterrupted, fixture, logWithoutTimes, readLog, readRunJson, scratch, type LogRecord } from './helpers.js';

const MODELS = path.join(path.dirname(fixture('quartic')), '../../../packages/models');

/** Every number of a log record (loss, then metrics in order), null for a non-finite one. */
function numbers(r: LogRecord): (number | null)[] {
  const out: (number | null)[] = [r.loss];
  for (const v of Object.values(r.metrics)) out.push(...(Array.isArray(v) ? v : [v]));
  return out;
}

/** The largest relative difference between two runs' logs (0: bit for bit the same numbers), and whether steps and shapes match. */
function logDifference(a: string, b: string): number {
  const la = readLog(a);
  const lb = readLog(b);
  expect(la.map((r) => r.step)).toEqual(lb.map((r) => r.step));
  let worst = 0;
  la.forEach((r, k) => {
    const x = numbers(r);
    const y = numbers(lb[k]!);
    expect(x.length).toBe(y.length);
    x.forEach((v, i) => {
      const w = y[i]!;
      if (v === null || w === null) {
        expect(v).toBe(w);
        return;
      }
      if (!Object.is(v, w)) worst = Math.max(worst, Math.abs(v - w) / Math.max(Math.abs(v), Math.abs(w)));
    });
  });
  return worst;
}

/** Status and claim verdicts of a run folder. */
function verdicts(dir: string): unknown {
  const s = readRunJson(dir)['summary'];
  return { status: s.status, step: s.step, claims: s.claims.map((c: { passed: boolean; notChecked?: boolean }) => [c.passed, c.notChecked ?? false]), divergence: s.divergence ?? null };
}

function sweepBoth(model: string, extra: readonly string[]): { batched: string; alone: string; dirs: string[] } {
  const cwd = scratch();
  const batched = path.join(cwd, 'batched');
  const alone = path.join(cwd, 'alone');
  const a = descent(['sweep', model, ...extra, '--jobs', '1', '--out', batched, '--quiet'], { cwd });
  expect(a.stderr).toBe('');
  const b = descent(['sweep', model, ...extra, '--jobs', '1', '--no-batch', '--out', alone, '--quiet'], { cwd });
  expect(b.stderr).toBe('');
  expect(a.code).toBe(b.code);
  const dirs = fs.readdirSync(batched).filter((d) => /^\d+_/.test(d)).sort();
  expect(dirs).toEqual(fs.readdirSync(alone).filter((d) => /^\d+_/.test(d)).sort());
  return { batched, alone, dirs };
}

describe('descent sweep: seeds batched', () => {
  // every seed runs its own lone plans, stacked (whole-step code, docs/cli.md "Seeds run batched"),
  // so each seed's log and final parameters are its own run's bit for bit
  // (gradient-em with its default 20 x 20 quadrature is not batched, see BATCH_ELEMENTS in
  // sweep-batch.ts: with 5 x 5 nodes its tensors are small enough)
  const cases: [string, string[], number, number][] = [
    ['gradient-em', ['--quadrature', '5', '--steps', '300', '--log', '30'], 0, 4],
    ['relu-neuron', ['--steps', '3000', '--log', '30'], 0, 4],
    ['matrix-factorization', ['--steps', '3000', '--log', '30'], 0, 4],
  ];
  for (const [model, extra, tolerance, batch] of cases) {
    it(`${model}: each seed's log and claim verdicts equal its own run's`, () => {
      const { batched, alone, dirs } = sweepBoth(path.join(MODELS, `${model}.loss`), ['--seeds', '1-4', ...extra]);
      expect(dirs).toHaveLength(4);
      for (const d of dirs) {
        expect(readRunJson(path.join(batched, d))['sweep']['batch']).toBe(batch);
        expect(readRunJson(path.join(alone, d))['sweep']['batch']).toBeUndefined();
        const diff = logDifference(path.join(batched, d), path.join(alone, d));
        expect(diff).toBeLessThanOrEqual(tolerance);
        expect(verdicts(path.join(batched, d))).toEqual(verdicts(path.join(alone, d)));
        expect(readRunJson(path.join(batched, d))['paramsF64']).toEqual(readRunJson(path.join(alone, d))['paramsF64']);
      }
    }, 120_000);
  }

  it('stops a diverging seed alone: its log and run.json say so, the others run to the end', () => {
    const { batched, alone, dirs } = sweepBoth(fixture('diverge-some'), ['--seeds', '1-8']);
    const statuses = dirs.map((d) => readRunJson(path.join(batched, d))['summary']['status'] as string);
    expect(statuses).toContain('diverged');
    expect(statuses).toContain('completed');
    for (const d of dirs) {
      expect(logDifference(path.join(batched, d), path.join(alone, d))).toBe(0);
      expect(verdicts(path.join(batched, d))).toEqual(verdicts(path.join(alone, d)));
      const run = readRunJson(path.join(batched, d));
      const last = readLog(path.join(batched, d)).at(-1)!;
      if (run['summary']['status'] === 'diverged') {
        expect(run['summary']['divergence']['step']).toBe(last.step);
        expect(last.step).toBeLessThan(400);
      } else {
        expect(last.step).toBe(400);
      }
      expect(fs.readFileSync(path.join(batched, d, 'run.json'), 'utf8')).toContain(run['summary']['status'] === 'diverged' ? '"diverged"' : '"completed"');
    }
  }, 120_000);

  it('ends a seed whose optimizer step overflows a parameter at that step, with the parameters it had before, as its own run does', () => {
    // diverge-params: w - 1e300 w overflows on the first step from some seeds; the others' loss overflows on the second
    const { batched, alone, dirs } = sweepBoth(fixture('diverge-params'), ['--seeds', '1-8']);
    const lastFinite = new Set<number>();
    const whats = new Set<string>();
    for (const d of dirs) {
      const a = readRunJson(path.join(batched, d));
      const b = readRunJson(path.join(alone, d));
      expect(a['summary']['divergence']).toEqual(b['summary']['divergence']);
      whats.add(a['summary']['divergence']['what'] as string);
      expect([a['summary']['step'], a['paramsStep'], a['paramsF64']]).toEqual([b['summary']['step'], b['paramsStep'], b['paramsF64']]);
      expect(logDifference(path.join(batched, d), path.join(alone, d))).toBe(0);
      lastFinite.add(a['paramsStep'] as number);
    }
    expect([...lastFinite].sort()).toEqual([0, 1]);
    expect(whats).toContain('parameter w');
  }, 120_000);

  it('batches each setting of a --set that changes a dim on its own, and falls back for fresh samples and large tensors', () => {
    const cwd = scratch();
    const out = path.join(cwd, 'dims');
    const r = descent(['sweep', fixture('quartic'), '--set', 'n=1,3', '--seeds', '1-3', '--steps', '50', '--jobs', '1', '--out', out, '--quiet'], { cwd });
    expect(r.code).toBe(0);
    const dirs = fs.readdirSync(out).filter((d) => /^\d_/.test(d)).sort();
    expect(dirs).toHaveLength(6);
    for (const d of dirs) expect(readRunJson(path.join(out, d))['sweep']['batch']).toBe(3);
    const fresh = path.join(cwd, 'fresh');
    const f = descent(['sweep', fixture('sampled'), '--fresh', '--seeds', '1-2', '--steps', '20', '--jobs', '1', '--out', fresh, '--quiet'], { cwd });
    expect(f.code).toBe(0);
    for (const d of fs.readdirSync(fresh).filter((x) => /^\d_/.test(x))) expect(readRunJson(path.join(fresh, d))['sweep']['batch']).toBeUndefined();
    // gradient-em's [400, 5] tensors: one program per entry (a seed axis would leave the cache)
    const large = path.join(cwd, 'large');
    expect(descent(['sweep', path.join(MODELS, 'gradient-em.loss'), '--seeds', '1-2', '--steps', '20', '--jobs', '1', '--out', large, '--quiet'], { cwd }).code).toBe(0);
    for (const d of fs.readdirSync(large).filter((x) => /^\d_/.test(x))) expect(readRunJson(path.join(large, d))['sweep']['batch']).toBeUndefined();
  }, 120_000);

  it('--jobs 2 runs the two halves of the seeds at once, one batch a thread', async () => {
    // forever.loss never ends: the first and the last seed's logs both appear only if the two halves run at once
    const cwd = scratch();
    const out = path.join(cwd, 'halves');
    const logs = [path.join(out, '0_seed=1', 'log.jsonl'), path.join(out, '3_seed=4', 'log.jsonl')];
    const r = await descentInterrupted(['sweep', fixture('forever'), '--seeds', '1-4', '--jobs', '2', '--out', out, '--quiet'], 'SIGINT', logs, cwd);
    expect(r.code).toBe(130);
    for (const d of ['0_seed=1', '1_seed=2', '2_seed=3', '3_seed=4']) {
      const run = readRunJson(path.join(out, d));
      expect([run['status'], run['sweep']['batch']]).toEqual(['interrupted', 2]);
    }
  }, 120_000);

  it('a stop request interrupts every seed of a batch with its checkpoint; descent resume continues a seed alone, bit for bit its own run', async () => {
    const cwd = scratch();
    const out = path.join(cwd, 'stopped');
    const args = ['--seeds', '1-3', '--steps', '1000000', '--log', '20'];
    const r = await descentInterrupted(['sweep', fixture('quartic'), ...args, '--jobs', '1', '--out', out, '--quiet'], 'SIGINT', path.join(out, '0_seed=1', 'log.jsonl'), cwd);
    expect(r.code).toBe(130);
    const seed2 = path.join(out, '1_seed=2');
    const stopped = readRunJson(seed2);
    expect(stopped['status']).toBe('interrupted');
    expect(stopped['sweep']['batch']).toBe(3);
    expect(fs.existsSync(path.join(seed2, 'checkpoint.json'))).toBe(true);
    expect(descent(['resume', seed2, '--quiet'], { cwd }).code).toBe(0);
    const alone = path.join(cwd, 'alone');
    expect(descent(['run', fixture('quartic'), '--seed', '2', '--steps', '1000000', '--log', '20', '--out', alone, '--quiet'], { cwd }).code).toBe(0);
    expect(logWithoutTimes(seed2)).toEqual(logWithoutTimes(alone));
    expect(readRunJson(seed2)['paramsF64']).toEqual(readRunJson(alone)['paramsF64']);
  }, 120_000);
});
