// Forward mode (forwardDerivative) against reverse mode, for every primitive of the table, and the
// sharing it exists for: nested derivatives of a scalar function that grow polynomially.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  add, allPrimitives, apply, backward, constant, exp, forwardDerivative, mul, ones, placeholder, Random, scalar, sin,
  sizeOf, sum, variable, withSharedNodes, type CheckCase, type Domain, type Primitive, type Shape, type Tensor,
} from '@descent/autodiff';
import { withSimplification } from '../../packages/autodiff/src/tensor.js';
import { relativeError, sampleDistinct, sampleInput } from './gradcheck.js';
import { anyShape, broadcastPair } from './shapes.js';

function domainsFor(p: Primitive, arity: number): Domain[] {
  const d = p.check.domain;
  return Array.from({ length: arity }, (_, i) => (Array.isArray(d) ? (d as readonly Domain[])[i]! : (d as Domain)));
}

/**
 * F(s) = sum(w * prim(x + s u)) at s = 0, for random x, u, w: dF/ds by forward mode and by reverse
 * mode, inside and outside withSharedNodes (which simplifies x * 1 and shares nodes).
 */
function compare(p: Primitive, shapes: readonly Shape[], attrs: unknown, seed: number): void {
  const rng = new Random(seed);
  const domains = domainsFor(p, shapes.length);
  const x = p.check.distinct ? sampleDistinct(shapes, domains, rng) : shapes.map((s, k) => sampleInput(s, domains[k]!, rng, false));
  x.forEach((xi, k) => p.check.prepareInput?.(xi, shapes[k]!, k));
  const moves = shapes.map((_, k) => !(domains[k]!.integer || p.nondiff?.includes(k)));
  const u = shapes.map((s) => rng.fillNormal(new Float64Array(sizeOf(s))));
  const outShape = p.shape(shapes, attrs as never);
  const w = constant(rng.fillNormal(new Float64Array(sizeOf(outShape))), outShape);
  for (const shared of [false, true]) {
    const run = (): [number, number] => {
      const s = variable(scalar(0));
      const inputs = x.map((xi, k) => (moves[k] ? add(constant(xi, shapes[k]!), mul(constant(u[k]!, shapes[k]!), s)) : constant(xi, shapes[k]!)));
      const F = sum(mul(apply(p, inputs, attrs), w));
      return [forwardDerivative(F, s, ones([])).data[0]!, backward(F, [s])[0]!.data[0]!];
    };
    const [fwd, rev] = shared ? withSharedNodes(run) : run();
    const where = `${p.name} shapes ${JSON.stringify(shapes)} seed ${seed}${shared ? ' (shared)' : ''}: forward ${fwd}, reverse ${rev}`;
    expect(relativeError(fwd, rev), where).toBeLessThanOrEqual(1e-9);
  }
}

describe('forward mode agrees with reverse mode', () => {
  for (const p of [...allPrimitives().values()]) {
    const cases = p.check.cases;
    if (cases === 'unary' || cases === 'binary') {
      it(`${p.name} over ${cases === 'unary' ? 'scalar, vector and matrix shapes' : 'broadcast pairs'}`, () => {
        fc.assert(
          fc.property(cases === 'unary' ? anyShape.map((s) => [s]) : broadcastPair, fc.integer({ min: 1, max: 1e6 }), (shapes, seed) => {
            compare(p, shapes, p.check.attrs, seed);
          }),
          { numRuns: 6 },
        );
      });
    } else {
      it(`${p.name} on its check cases`, () => {
        for (const c of cases as readonly CheckCase<unknown>[]) for (const seed of [1, 2]) compare(p, c.shapes, c.attrs, seed);
      });
    }
  }
});

describe('nested forward derivatives share what the levels repeat', () => {
  /** The n-th derivative of e^x sin x by n nested forward passes, each in a fresh variable. */
  function nth(n: number, x: Tensor): Tensor {
    if (n === 0) return mul(exp(x), sin(x));
    const v = variable(x);
    return forwardDerivative(nth(n - 1, v), v, ones([]));
  }

  it('30 levels: the closed form 2^(n/2) e^x sin(x + n pi/4), in a graph linear in n', () => {
    const sizes: number[] = [];
    for (const n of [10, 20, 30]) {
      const first = scalar(0).id;
      const d = withSharedNodes(() => nth(n, variable(scalar(0.7))));
      sizes.push(scalar(0).id - first);
      const closed = 2 ** (n / 2) * Math.exp(0.7) * Math.sin(0.7 + (n * Math.PI) / 4);
      expect(relativeError(d.data[0]!, closed)).toBeLessThan(1e-12);
    }
    console.log(`nested forward derivatives of e^x sin x: ${sizes.join(', ')} tensors made for 10, 20, 30 levels`);
    expect(sizes[2]!).toBeLessThan(1000);
    // linear growth: each 10 levels add about the same; exponential growth would multiply
    expect(sizes[2]! - sizes[1]!).toBeLessThan(1.5 * (sizes[1]! - sizes[0]!));
  });

  it('sharing while building tangents: x * 1 is x, b + a is a + b, and two variables of equal value stay two', () => {
    // outside forward mode the graph stays as written (the fusion pass's choices depend on it)
    withSharedNodes(() => {
      const y = exp(placeholder([2], 'x'));
      expect(mul(y, ones([2]))).not.toBe(y);
    });
    withSharedNodes(() => withSimplification(() => {
      const x = placeholder([2], 'x');
      const y = exp(x);
      expect(mul(y, ones([2]))).toBe(y);
      expect(mul(ones([]), y)).toBe(y); // a one-element 1 broadcast to y's shape: y itself
      expect(add(y, sin(x))).toBe(add(sin(x), y));
      expect(mul(ones([3, 2]), y)).not.toBe(y); // 1 broadcast to a larger shape is a different value
      const a = variable(scalar(1));
      const b = variable(scalar(1));
      expect(mul(a, y)).not.toBe(mul(b, y));
    }));
  });
});
