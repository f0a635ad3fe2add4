// Gradient checks generated from the primitive table: every primitive, first and second order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allPrimitives, vjpOf, type CheckCase, type Domain, type Primitive, type Shape } from '@descent/autodiff';
import { checkPrimitive } from '../gradcheck.js';
import { anyShape, broadcastPair } from '../shapes.js';

const TOLERANCE = 1e-6;

function domainsFor(p: Primitive, arity: number): Domain[] {
  const d = p.check.domain;
  return Array.from({ length: arity }, (_, i) => (Array.isArray(d) ? (d as readonly Domain[])[i]! : (d as Domain)));
}

function expectClose(p: Primitive, shapes: readonly Shape[], attrs: unknown, seed: number): void {
  const arity = shapes.length;
  const r = checkPrimitive(p, shapes, attrs, domainsFor(p, arity), seed, {
    distinct: p.check.distinct ?? false,
    order: p.check.order ?? 2,
  });
  const where = `${p.name} shapes ${JSON.stringify(shapes)} attrs ${JSON.stringify(attrs)} seed ${seed}`;
  expect(r.first.relError, `first order, ${where}: ${r.first.analytic} vs ${r.first.numeric}`).toBeLessThanOrEqual(TOLERANCE);
  if (r.second) {
    expect(r.second.relError, `second order, ${where}: ${r.second.analytic} vs ${r.second.numeric}`).toBeLessThanOrEqual(
      TOLERANCE,
    );
  }
}

const primitives = [...allPrimitives().values()];

describe('every primitive has a gradient check', () => {
  it.each(primitives.map((p) => [p.name, p] as const))('%s declares cases and a domain', (_name, p) => {
    const cases = p.check.cases;
    expect(cases === 'unary' || cases === 'binary' || cases.length > 0).toBe(true);
    expect(p.check.domain).toBeDefined();
  });

  it.each(primitives.map((p) => [p.name, p] as const))('%s has a derivative rule in the table beside it', (_name, p) => {
    expect(typeof vjpOf(p)).toBe('function');
  });
});

describe('central differences agree with the derivative rules', () => {
  for (const p of primitives) {
    const cases = p.check.cases;
    if (cases === 'unary') {
      it(`${p.name} over scalar, vector and matrix shapes`, () => {
        fc.assert(
          fc.property(anyShape, fc.integer({ min: 1, max: 1e6 }), (shape, seed) => {
            expectClose(p, [shape], p.check.attrs, seed);
          }),
          { numRuns: 12 },
        );
      });
    } else if (cases === 'binary') {
      it(`${p.name} over broadcast pairs`, () => {
        fc.assert(
          fc.property(broadcastPair, fc.integer({ min: 1, max: 1e6 }), (pair, seed) => {
            expectClose(p, pair, p.check.attrs, seed);
          }),
          { numRuns: 12 },
        );
      });
    } else {
      it.each((cases as readonly CheckCase<unknown>[]).map((c) => [JSON.stringify(c.shapes), c] as const))(
        `${p.name} on %s`,
        (_label, c) => {
          for (const seed of [1, 2, 3]) expectClose(p, c.shapes, c.attrs, seed);
        },
      );
    }
  }
});
