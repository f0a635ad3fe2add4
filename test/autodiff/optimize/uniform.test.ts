// Uniform constant arrays (all elements equal) read by elementwise loops of their shape are read
// as one value (optimize/uniform.ts): the loop no longer streams the whole array.
import { describe, expect, it } from 'vitest';
import {
  add, broadcastTo, constant, DEFERRED_CONSTANT_ELEMENTS, full, matmul, mul, ones, placeholder, planOf, Random, softmax, sub, where, gt,
  withDeferredConstants,
} from '@descent/autodiff';

function bothWays(inputs: ReturnType<typeof placeholder>[], outputs: Parameters<typeof planOf>[1], values: Float64Array[]) {
  const on = planOf(inputs, outputs);
  const off = planOf(inputs, outputs, { passes: [], reuseBuffers: false });
  const a = on.run(values).map((t) => Array.from(t.data));
  const b = off.run(values).map((t) => Array.from(t.data));
  return { on, a, b };
}

describe('uniform constants read as one value', () => {
  it('replaces a uniform array read by elementwise loops and keeps the values', () => {
    const x = placeholder([40, 6], 'x');
    const c = full([40, 6], -1e-4);
    const outputs = [add(mul(x, c), x), sub(c, mul(x, x))];
    const rng = new Random(3);
    const { on, a, b } = bothWays([x], outputs, [rng.randn([40, 6]).data]);
    expect(on.dump()).not.toMatch(/const \[40, 6\]/);
    expect(a).toEqual(b);
  });

  it('keeps non-uniform arrays, arrays read by a product, and mixed zeros', () => {
    const x = placeholder([5, 5], 'x');
    const data = new Float64Array(25).fill(2);
    data[24] = 3;
    const mixed = new Float64Array(25);
    mixed[7] = -0;
    const outputs = [mul(x, constant(data, [5, 5])), matmul(full([5, 5], 2), x), mul(x, constant(mixed, [5, 5]))];
    const rng = new Random(4);
    const { on, a, b } = bothWays([x], outputs, [rng.randn([5, 5]).data]);
    expect(on.dump().match(/const \[5, 5\]/g)!.length).toBe(3);
    expect(a.map((r) => r.map((v) => Object.is(v, -0) ? 'm0' : v))).toEqual(b.map((r) => r.map((v) => Object.is(v, -0) ? 'm0' : v)));
  });

  it('reads a uniform NaN or ones array inside a where as the same values', () => {
    const x = placeholder([8, 3], 'x');
    const nan = full([8, 3], NaN);
    const outputs = [where(gt(x, full([8, 3], 0)), nan, full([8, 3], 1)), mul(full([8, 3], -0), x)];
    const rng = new Random(5);
    const { on, a, b } = bothWays([x], outputs, [rng.randn([8, 3]).data]);
    expect(on.dump()).not.toMatch(/const \[8, 3\]/);
    expect(a.map((r) => r.map(String))).toEqual(b.map((r) => r.map(String)));
  });

  it('reads a smaller uniform array broadcast by the loop as one value too', () => {
    const x = placeholder([40, 6], 'x');
    const half = full([40, 1], 0.5);
    const rng = new Random(6);
    const { on, a, b } = bothWays([x], [mul(x, half), add(half, x)], [rng.randn([40, 6]).data]);
    expect(on.dump()).not.toMatch(/const \[40, 1\]/);
    expect(a).toEqual(b);
  });

  it('drops a product with ones broadcast by a plan node (too large to fold while tracing)', () => {
    // a gradient of a gradient seeds with ones [rows, 1]; broadcast to [rows, cols] past the
    // deferral size, the broadcast is a node of the plan, and softmax · ones is the softmax
    const rows = 1024;
    const cols = Math.ceil(DEFERRED_CONSTANT_ELEMENTS / rows) + 1;
    const x = placeholder([rows, cols], 'x');
    const seed = withDeferredConstants(true, () => broadcastTo(ones([rows, 1]), [rows, cols]));
    expect(seed.symbolic).toBe(true);
    const outputs = [mul(seed, softmax(x, 1))];
    const on = planOf([x], outputs);
    expect(on.dump()).not.toMatch(/mul|fused|broadcastTo/);
    const values = [new Random(7).randn([rows, cols]).data];
    const got = on.run(values)[0]!.data;
    const want = planOf([x], outputs, { passes: [] }).run(values)[0]!.data;
    let differing = 0;
    for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) differing++;
    expect(differing).toBe(0);
  });
});
