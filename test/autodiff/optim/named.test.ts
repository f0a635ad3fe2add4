// Optimizers over named parameters: bit-equal to the flat optimizers, JSON state that resumes exactly, errors by name.
import { describe, expect, it } from 'vitest';
import { add, allocationCount, compile, compileTree, matmul, mean, mul, Random, sub, tanh, tensor, valueAndGrad, zeros, type Tensor } from '../../../packages/autodiff/src/index.js';
import {
  adam, createOptimizer, flow, gd, momentum, optimizer, OptimizerError, OPTIMIZER_KINDS, OPTIMIZERS, optimizerSpec,
  type OptimizerKind, type OptimizerState,
} from '../../../packages/autodiff/src/optim/index.js';

interface Params {
  W: Tensor;
  layers: { b: Tensor; s: Tensor }[];
}

const X = new Random(3).randn([5, 3]);
const Y = new Random(4).randn([5, 2]);

function freshParams(): Params {
  const rng = new Random(7);
  return { W: rng.randn([3, 2]), layers: [{ b: rng.randn([2]), s: rng.randn([1]) }] };
}

/** A small non-quadratic loss over a nested parameter tree. */
const loss = (p: Params): Tensor => {
  const h = tanh(add(matmul(X, p.W), p.layers[0]!.b));
  const r = sub(mul(h, p.layers[0]!.s), Y);
  return mean(mul(r, r));
};

const flatLoss = (W: Tensor, b: Tensor, s: Tensor): Tensor => loss({ W, layers: [{ b, s }] });
const ARGS: Record<OptimizerKind, Record<string, number>> = { gd: { lr: 0.1 }, momentum: { lr: 0.05, beta: 0.8 }, adam: { lr: 0.02 }, flow: { dt: 0.3 } };

const bits = (p: Params): number[] => [...p.W.data, ...p.layers[0]!.b.data, ...p.layers[0]!.s.data];

describe('named parameters give the flat optimizers\' iterates bit for bit', () => {
  for (const kind of OPTIMIZER_KINDS) {
    it(kind, () => {
      const params = freshParams();
      const opt = optimizer(kind, params, ARGS[kind]);
      const vg = valueAndGrad(loss);
      for (let t = 0; t < 25; t++) {
        if (kind === 'flow') opt.step(params, (at) => vg(at)[1]);
        else opt.update(params, vg(params)[1]);
      }
      const ref = freshParams();
      const arrays = [ref.W.data, ref.layers[0]!.b.data, ref.layers[0]!.s.data];
      const shapes = [[3, 2], [2], [1]];
      const flat = createOptimizer(optimizerSpec(kind, ARGS[kind]), arrays.map((a) => a.length));
      const g = valueAndGrad(flatLoss, [0, 1, 2]);
      for (let t = 0; t < 25; t++) {
        flat.step(arrays, (at, out) => {
          const [, grads] = g(...(at.map((a, i) => tensor(Float64Array.from(a), shapes[i])) as [Tensor, Tensor, Tensor]));
          grads.forEach((x, i) => out[i]!.set(x.data));
        });
      }
      expect(bits(params)).toEqual(bits(ref));
      expect(opt.steps).toBe(25);
      expect(opt.paths).toEqual(['params.W', 'params.layers[0].b', 'params.layers[0].s']);
    });
  }
});

describe('state is JSON and resumes bit for bit', () => {
  for (const kind of OPTIMIZER_KINDS) {
    it(kind, () => {
      const vg = valueAndGrad(loss);
      const stepOnce = (o: ReturnType<typeof optimizer<Params>>, p: Params): void =>
        kind === 'flow' ? o.step(p, (at) => vg(at)[1]) : o.update(p, vg(p)[1]);
      const straight = freshParams();
      const a = optimizer(kind, straight, ARGS[kind]);
      for (let t = 0; t < 30; t++) stepOnce(a, straight);

      const first = freshParams();
      const b = optimizer(kind, first, ARGS[kind]);
      for (let t = 0; t < 12; t++) stepOnce(b, first);
      const saved = JSON.stringify({ params: bits(first), state: b.state() });
      const loaded = JSON.parse(saved) as { params: number[]; state: OptimizerState };
      const resumed = freshParams();
      const all = [resumed.W.data, resumed.layers[0]!.b.data, resumed.layers[0]!.s.data];
      let k = 0;
      for (const arr of all) for (let i = 0; i < arr.length; i++) arr[i] = loaded.params[k++]!;
      const c = optimizer(kind, resumed, ARGS[kind]);
      c.restore(loaded.state);
      for (let t = 12; t < 30; t++) stepOnce(c, resumed);
      expect(bits(resumed)).toEqual(bits(straight));
      expect(c.state()).toEqual(a.state());
    });
  }
});

describe('a compiled step over a parameter tree', () => {
  it('takes a step with no new gradient flattening: the same output tree each run', () => {
    const params = freshParams();
    const shapes = [[3, 2], [2], [1]];
    const plan = compile((W, b, s) => {
      const [l, g] = valueAndGrad(flatLoss, [0, 1, 2])(W!, b!, s!);
      return [l, ...g];
    }, shapes);
    const out = plan.run([params.W, params.layers[0]!.b, params.layers[0]!.s]);
    const grads = { W: out[1]!, layers: [{ b: out[2]!, s: out[3]! }] };
    const opt = adam(params, { lr: 0.05 });
    const losses: number[] = [];
    for (let t = 0; t < 200; t++) {
      losses.push(plan.run([params.W, params.layers[0]!.b, params.layers[0]!.s])[0]!.item());
      opt.update(params, grads);
    }
    expect(losses[199]!).toBeLessThan(0.5 * losses[0]!);
  });
});

describe('no allocation per step', () => {
  it('compileTree(valueAndGrad) then adam.update: no library buffer made, the same gradient tree each step', () => {
    const params = freshParams();
    const step = compileTree(valueAndGrad(loss), [params]);
    const opt = adam(params, { lr: 0.05 });
    const [, g0] = step(params);
    opt.update(params, g0);
    const before = allocationCount();
    let first = NaN;
    let last = NaN;
    for (let t = 0; t < 100; t++) {
      const [l, g] = step(params);
      expect(g).toBe(g0);
      if (t === 0) first = l.item();
      last = l.item();
      opt.update(params, g);
    }
    expect(allocationCount()).toEqual(before);
    expect(last).toBeLessThan(first);
  });
});

describe('flow hands the gradient function the same trees every step', () => {
  it('one tree per trial buffer set, the parameters themselves at each step\'s start', () => {
    const params = freshParams();
    const opt = flow(params, { dt: 2 });
    const seen = new Set<unknown>();
    const vg = valueAndGrad(loss);
    for (let t = 0; t < 5; t++) {
      opt.step(params, (at) => {
        seen.add(at);
        return vg(at)[1];
      });
    }
    expect(seen.has(params)).toBe(true);
    expect(seen.size).toBeLessThanOrEqual(3);
  });
});

describe('errors', () => {
  it('names a bad argument with the table\'s range', () => {
    expect(() => adam(freshParams(), { beta1: 1 })).toThrow('adam: beta1 must be in [0, 1), got 1');
    expect(() => gd(freshParams(), { lr: -1 })).toThrow('gd: lr must be positive, got -1');
    expect(() => optimizer('momentum', freshParams(), { mu: 0.9 })).toThrow('momentum: no argument mu; it takes lr, beta');
  });

  it('update on flow asks for a gradient function', () => {
    const params = freshParams();
    const opt = flow(params);
    expect(() => opt.update(params, valueAndGrad(loss)(params)[1])).toThrow(/call step\(params, gradient\)/);
  });

  it('a gradient tree of another structure is named', () => {
    const params = freshParams();
    const opt = momentum(params);
    expect(() => opt.update(params, { W: zeros([3, 2]) } as unknown as Params)).toThrow(OptimizerError);
    expect(() => opt.update(params, { W: zeros([3, 2]) } as unknown as Params)).toThrow('gradients has 1 tensors but the parameters have 3');
    expect(() => opt.update(params, { W: zeros([2, 2]), layers: [{ b: zeros([2]), s: zeros([1]) }] })).toThrow(
      'the gradient of params.W has 4 values, expected 6',
    );
  });

  it('every table entry has its rate among its arguments and defaults in range', () => {
    for (const entry of Object.values(OPTIMIZERS)) {
      expect(entry.args.map((a) => a.name)).toContain(entry.rate);
      for (const a of entry.args) expect(a.valid(a.default)).toBe(true);
    }
  });
});
