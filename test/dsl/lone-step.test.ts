// Lone programs run by whole-step code (dsl/src/lone-step.ts): the prebuilt models bit for bit as their plans run them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { setKernelTiming } from '../../packages/autodiff/src/index.js';
import { compileSource, type Program } from '../../packages/dsl/src/index.js';
import { LONE_WHOLE_STEP_MAX_VALUES, WHOLE_STEP_ENV } from '../../packages/dsl/src/lone-step.js';

const MODELS = path.join(__dirname, '../../packages/models');
const models = fs.readdirSync(MODELS).filter((f) => f.endsWith('.loss')).map((f) => f.slice(0, -'.loss'.length)).sort();

/** Bits of numbers (so -0 and 0, or NaN payloads, compare as what they are). */
const bits = (xs: ArrayLike<number>): bigint[] => Array.from(new BigUint64Array(Float64Array.from(xs).buffer));

function compileModel(model: string, wholeStep: boolean | undefined): Program {
  const file = path.join(MODELS, `${model}.loss`);
  const r = compileSource(fs.readFileSync(file, 'utf8'), { file, wholeStep });
  if (!r.ok) throw new Error(`${model} does not compile`);
  return r.program;
}

/**
 * `steps` plain gradient steps (lr) with fresh samples redrawn and update rules applied, recording
 * every objective, gradient and update, the metrics every `every` steps, then the parameters.
 */
function trajectory(p: Program, steps: number, every: number, lr: number): bigint[] {
  p.initialize();
  const out: number[] = [];
  for (let t = 0; t < steps; t++) {
    p.setStep(t);
    if (p.freshSampling) p.resample();
    const e = p.evaluate();
    out.push(e.objective, ...e.grads.flatMap((g) => Array.from(g)), ...e.updates.flatMap((u) => Array.from(u)));
    if (t % every === 0) out.push(...p.metricViews().flatMap((v) => Array.from(v)));
    let g = 0;
    p.paramInfo.forEach((info, i) => {
      if (info.updated) return;
      const x = p.params[i]!;
      const grad = e.grads[g++]!;
      for (let j = 0; j < x.length; j++) x[j] = x[j]! - lr * grad[j]!;
    });
    p.applyUpdates(e.updates);
  }
  out.push(...p.params.flatMap((x) => Array.from(x)));
  return bits(out);
}

describe('lone programs by whole-step code', () => {
  afterEach(() => {
    delete process.env[WHOLE_STEP_ENV];
    setKernelTiming(false);
  });

  for (const model of models) {
    it(`${model}: objectives, gradients, updates, metrics and parameters are the plan's own, bit for bit`, () => {
      const fast = compileModel(model, true);
      const plain = compileModel(model, false);
      expect(plain.wholeStep).toEqual({ evaluation: false, metrics: false });
      const steps = 300;
      const a = trajectory(fast, steps, 37, 1e-3);
      const b = trajectory(plain, steps, 37, 1e-3);
      expect(a.length).toBe(b.length);
      expect(a).toEqual(b);
    });
  }

  it('runs the small prebuilt models by whole-step code (and the too large plan by the plan)', () => {
    for (const model of ['relu-neuron', 'matrix-factorization', 'gradient-em', 'score-matching']) {
      expect(compileModel(model, undefined).wholeStep).toEqual({ evaluation: true, metrics: true });
    }
    // gradient-em-mixture's evaluation plan holds more values than the limit
    const mixture = compileModel('gradient-em-mixture', true);
    expect(mixture.wholeStep.evaluation).toBe(false);
    expect(mixture.describe()).toMatch(/(\d+) buffered values/);
    const buffered = Number(/(\d+) buffered values/.exec(mixture.describe())![1]);
    expect(buffered).toBeGreaterThan(LONE_WHOLE_STEP_MAX_VALUES);
  });

  it('DESCENT_WHOLE_STEP=off (or 0) turns it off; an explicit option wins over the variable', () => {
    process.env[WHOLE_STEP_ENV] = 'off';
    expect(compileModel('relu-neuron', undefined).wholeStep).toEqual({ evaluation: false, metrics: false });
    expect(compileModel('relu-neuron', true).wholeStep).toEqual({ evaluation: true, metrics: true });
    process.env[WHOLE_STEP_ENV] = '0';
    expect(compileModel('relu-neuron', undefined).wholeStep.evaluation).toBe(false);
    process.env[WHOLE_STEP_ENV] = 'on';
    expect(compileModel('relu-neuron', undefined).wholeStep.evaluation).toBe(true);
  });

  it('a memory limit the copy of the buffers would break leaves the plan running as it is', () => {
    const file = path.join(MODELS, 'matrix-factorization.loss');
    const source = fs.readFileSync(file, 'utf8');
    const evaluation = (maxMemoryBytes: number): boolean | 'refused' => {
      const r = compileSource(source, { file, wholeStep: true, maxMemoryBytes });
      return r.ok ? r.program.wholeStep.evaluation : 'refused';
    };
    // the smallest limit the program compiles under (within 64 bytes) leaves no room for the copy
    let [low, high] = [0, 1 << 24];
    expect(evaluation(low)).toBe('refused');
    expect(evaluation(high)).toBe(true);
    while (high - low > 64) {
      const mid = Math.floor((low + high) / 2);
      if (evaluation(mid) === 'refused') low = mid;
      else high = mid;
    }
    expect(evaluation(high)).toBe(false);
  });

  it('while per-kernel timing is on, the plan runs (timed) and its values are the same', () => {
    const fast = compileModel('relu-neuron', true);
    const plain = compileModel('relu-neuron', false);
    const a = trajectory(fast, 5, 1, 1e-3);
    setKernelTiming(true);
    const timed = trajectory(fast, 5, 1, 1e-3);
    setKernelTiming(false);
    expect(timed).toEqual(a);
    expect(trajectory(plain, 5, 1, 1e-3)).toEqual(a);
  });
});
