// The language of LANGUAGE-2.md (copied as fixtures): step and schedules,
// slices, eye(k, d), index values, intermediates, and the claims of section 6.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileSource, formatDiagnostics, type Program } from '@descent/dsl';
import { fencedBlocks, language2Md } from '../fixtures/language.js';
import { evaluateClaim, summarize, toClaim, train, type Claim, type LogRecord, type TrainCheckpoint } from '../../packages/cli/src/index.js';

const dir = fileURLToPath(new URL('./fixtures/language-2/', import.meta.url));
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.loss')).sort();

function compile(source: string, file = 'test.loss'): Program {
  const r = compileSource(source, { file });
  if (!r.ok) throw new Error(formatDiagnostics(r.diagnostics, source));
  return r.program;
}

/** Runs a program with its own settings for at most `steps` steps; the records of every step logged. */
function run(program: Program, steps = program.settings.steps): { records: LogRecord[]; loss: number } {
  const o = program.settings.optimizer;
  const records: LogRecord[] = [];
  const schedule = program.scheduled.length > 0 ? (t: number) => program.optimizerArgsAt(t) : undefined;
  const spec = o.name === 'flow' ? { kind: 'flow' as const, dt: o.args['dt']! }
    : o.name === 'gd' ? { kind: 'gd' as const, lr: o.args['lr']! }
    : o.name === 'momentum' ? { kind: 'momentum' as const, lr: o.args['lr']!, beta: o.args['beta']! }
    : { kind: 'adam' as const, lr: o.args['lr']!, beta1: o.args['beta1']!, beta2: o.args['beta2']!, eps: o.args['eps']! };
  const r = train({ program, optimizer: spec, ...(schedule ? { schedule } : {}), steps, logCount: 50, onRecord: (x) => records.push(x) });
  return { records, loss: r.loss };
}

describe('every example of LANGUAGE-2.md compiles and runs', () => {
  it('the fixtures hold all seven examples: the six of LANGUAGE-2.md, word for word, and one of section 6', () => {
    expect(fixtures).toHaveLength(7);
    const blocks = fencedBlocks(language2Md);
    expect(blocks).toHaveLength(6);
    const stored = fixtures.filter((f) => !f.startsWith('6-')).map((f) => readFileSync(path.join(dir, f), 'utf8').replace(/^#[^\n]*\n/, ''));
    expect(stored).toEqual(blocks);
  });
  it.each(fixtures)('%s', (name) => {
    const program = compile(readFileSync(path.join(dir, name), 'utf8'), name);
    const { records, loss } = run(program, Math.min(program.settings.steps, 300));
    expect(Number.isFinite(loss)).toBe(true);
    expect(records.length).toBeGreaterThan(2);
  });
});

describe('step and schedules (section 1)', () => {
  it('a metric reads `step`, and `gd(lr = 0.5 / sqrt(1 + step))` takes the scheduled step each time', () => {
    const p = compile('param w ~ normal(0, 1)\nloss = 0.5 * w^2\nmetric s = step\noptimizer gd(lr = 0.5 / sqrt(1 + step))\nsteps 20\nlog 21');
    p.initialize();
    const w0 = p.params[0]![0]!;
    const { records } = run(p);
    expect(records.map((r) => r.metrics['s'])).toEqual(records.map((r) => r.step));
    // w_{t+1} = (1 - lr_t) w_t with lr_t = 0.5 / sqrt(1 + t), the same operations in the same order
    let w = w0;
    for (let t = 0; t < 20; t++) w = w - (0.5 / Math.sqrt(1 + t)) * w;
    expect(p.params[0]![0]).toBe(w);
    expect(p.settings.optimizer).toEqual({ name: 'gd', args: { lr: 0.5 }, schedule: { lr: '0.5 / sqrt(1 + step)' } });
    expect(p.optimizerArgsAt(3)).toEqual({ lr: 0.5 / Math.sqrt(4) });
  });

  it('step carries no gradient, and an intermediate over params and step is shared', () => {
    const p = compile('param w ~ normal(0, 1)\nlet g = w * (1 + step)\nloss = g^2\nmetric gm = g');
    p.initialize();
    const w = p.params[0]![0]!;
    p.setStep(2);
    const e = p.evaluate();
    expect(e.objective).toBeCloseTo(9 * w * w, 12);
    expect(e.grads[0]![0]).toBeCloseTo(18 * w, 12);
    expect(p.metrics()['gm']).toBeCloseTo(3 * w, 12);
  });

  it('`step` in `where` locals and updates', () => {
    const p = compile('param w ~ normal(0, 1)\nparam c ~ normal(0, 1)\nloss = (w - t)^2 where t = step\nupdate c = 10 * step + u where u = 1\nmetric m = t where t = 2 * step');
    p.initialize();
    p.setStep(4);
    const w = p.params[0]![0]!;
    const e = p.evaluate();
    expect(e.objective).toBeCloseTo((w - 4) ** 2, 12);
    expect(e.updates[0]![0]).toBe(41);
    expect(p.metrics()['m']).toBe(8);
  });

  it('a run with a schedule continued from a checkpoint is bit-identical to the run without a stop', () => {
    const src = 'dim d = 5\nparam w[d] ~ normal(0, 1)\nloss = sum_i log(1 + w[i]^2)\noptimizer adam(lr = 0.05 * min(1, (step + 1) / 10))\nsteps 40\nlog 41';
    const whole = compile(src);
    const a = run(whole);
    let saved: TrainCheckpoint | undefined;
    const first = compile(src);
    const spec = { kind: 'adam' as const, lr: first.settings.optimizer.args['lr']!, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
    const schedule = (t: number): Record<string, number> => first.optimizerArgsAt(t);
    train({
      program: first, optimizer: spec, schedule, steps: 40, logCount: 41, shouldStop: () => saved !== undefined,
      checkpointEvery: 15, onCheckpoint: (cp) => {
        if (cp.step === 15) saved = { ...cp, params: cp.params.map((x) => Float64Array.from(x)) };
      },
    });
    expect(saved?.step).toBe(15);
    const second = compile(src);
    const records: LogRecord[] = [];
    train({ program: second, optimizer: spec, schedule: (t) => second.optimizerArgsAt(t), steps: 40, logCount: 41, resume: saved!, onRecord: (r) => records.push(r) });
    expect(Array.from(second.params[0]!)).toEqual(Array.from(whole.params[0]!));
    expect(records.at(-1)!.loss).toBe(a.records.at(-1)!.loss);
  });
});

describe('slices, eye(k, d), index values (section 2)', () => {
  const p = compile([
    'dim n = 4', 'dim d = 3', 'let X[n, d] = [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]]', 'param w[n] ~ normal(0, 1)',
    'loss = |w|^2', 'metric top[i] = sum(X[:2][i])', 'metric tail = sum(X[2:])', 'metric col[i] = X[:, 1][i]',
    'metric block = sum(X[1:3, 1:])', 'metric e[i] = sum(eye(2, 3)[i])', 'metric e2 = sum(eye(3, 2) @ [1, 1])',
    'metric pos = sum_i i * X[i, 0]',
  ].join('\n'));
  p.initialize();
  const m = p.metrics();
  it('X[a:b], X[:k], X[k:], X[:, j] and blocks pick the rows, columns and blocks', () => {
    expect(m['top']).toEqual([6, 15]);
    expect(m['tail']).toBe(7 + 8 + 9 + 10 + 11 + 12);
    expect(m['col']).toEqual([2, 5, 8, 11]);
    expect(m['block']).toBe(5 + 6 + 8 + 9);
  });
  it('eye(k, d) has ones on its diagonal only, and an index variable is its position', () => {
    expect(m['e']).toEqual([1, 1]);
    expect(m['e2']).toBe(2);
    expect(m['pos']).toBe(0 * 1 + 1 * 4 + 2 * 7 + 3 * 10);
  });
});

describe('claims over series (section 6)', () => {
  const records: LogRecord[] = [0, 10, 100, 1000].map((step) => ({
    step, loss: 1 / (1 + step), metrics: { a: 1, b: 2, norm: [0.24, 0.26] }, elapsed: 0,
  }));
  const c = (x: Partial<Claim>): Claim => ({ fn: 'final', series: 'loss', args: [], op: '<', value: 1, ...x });

  it('a computed constant value, two measurements, and x[*] for every element', () => {
    const p = compile('dim n = 4\nparam w ~ normal(0, 1)\nloss = w^2\nmetric a = w\nmetric b = 2 * w\nlet v[2] = [1, 1]\nmetric norm[i] = w + 0 * i * v[i]\nclaim final(a) < 0.5 * final(b) + 1\nclaim final(norm[*]) = 1 / n +- 0.05\nclaim rate(loss, 1, 2) = 2 * log(1 - 0.1 / 2) +- 1e-3');
    const [two, every, constant] = p.claims;
    expect(constant!.value).toBeCloseTo(2 * Math.log(0.95), 15);
    expect(evaluateClaim(toClaim(two!), records).pass).toBe(true);
    expect(evaluateClaim(toClaim(every!), records).pass).toBe(true);
    const r = evaluateClaim({ ...toClaim(every!), value: 0.24, tol: 0.005 }, records);
    expect(r.pass).toBe(false);
    expect(r.reason).toMatch(/^norm\[1\] fails/);
  });

  it('a window reaching past the last step fails with that reason, never shortened', () => {
    const r = evaluateClaim(c({ fn: 'slope', args: [100, 1e4] }), records);
    expect(r.pass).toBe(false);
    expect(r.reason).toBe('window [100, 1e4] ends after the last step 1000');
    expect(evaluateClaim(c({ fn: 'min', args: [10, 2000], op: '>=', value: 0 }), records).pass).toBe(false);
    expect(evaluateClaim(c({ fn: 'min', args: [10, 1000], op: '>=', value: 0 }), records).pass).toBe(true);
  });

  it('an interrupted or diverged run has its claims "not checked", never passing, and a diverged run no slope', () => {
    const p = compile('param w ~ normal(0, 1)\nloss = w^2\nclaim final(loss) < 1e9');
    const base = { step: 1000, steps: 5000, loss: 1e-3, metrics: {}, records, claims: p.claims, seconds: 1, computeSeconds: 1 };
    const done = summarize({ ...base, status: 'completed' });
    expect(done.allClaimsPass).toBe(true);
    for (const status of ['interrupted', 'diverged'] as const) {
      const s = summarize({ ...base, status });
      expect(s.allClaimsPass).toBe(false);
      expect(s.claims[0]!.notChecked).toBe(true);
      expect(s.claims[0]!.text).toMatch(/not checked: the run (was interrupted|diverged) at step 1000/);
    }
    expect(done.slope).not.toBeNull();
    expect(summarize({ ...base, status: 'diverged' }).slope).toBeNull();
  });
});
