// where() in a .loss file: the side not taken gives no NaN to the gradient, so a run at w = 0 is
// not reported as diverged; grad of grad through where is still right.
import { describe, expect, it } from 'vitest';
import { compileSource } from '@descent/dsl';

/** Loss and gradient at w of `param w` followed by `lines`. */
function at(lines: string, w: number): { objective: number; grad: number } {
  const r = compileSource(`param w ~ normal(0, 1)\n${lines}`, { file: 'where.loss' });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  r.program.params[0]![0] = w;
  const { objective, grads } = r.program.evaluate();
  return { objective, grad: grads[0]![0]! };
}

describe('where in the DSL', () => {
  it('where(w > 0, w / w, 0) at w = 0: loss 0, gradient 0 (not NaN)', () => {
    expect(at('loss = where(w > 0, w / w, 0)', 0)).toEqual({ objective: 0, grad: 0 });
    expect(at('loss = where(w > 0, w / w, 0) + w^2', 0.5)).toEqual({ objective: 1.25, grad: 1 });
  });

  it('where(w != 0, sqrt(w), 0) at w = 0: gradient 0 (not infinity); 1 / (2 sqrt(w)) where taken', () => {
    expect(at('loss = where(w != 0, sqrt(w), 0)', 0)).toEqual({ objective: 0, grad: 0 });
    expect(at('loss = where(w != 0, sqrt(w), 0)', 4).grad).toBeCloseTo(0.25, 15);
  });

  it('grad of grad through where: h = where(y > 0, y^3 / y, 0), loss h\'(w), at 0 and at 1.5', () => {
    // h = y^2 for y > 0: h' = 2y, so the loss 2w has gradient 2; at 0 both are 0 and finite
    const model = 'h(y) = where(y > 0, y^3 / y, 0)\ng(y) = grad(h(y), y)\nloss = g(w)';
    expect(at(model, 0)).toEqual({ objective: 0, grad: 0 });
    const s = at(model, 1.5);
    expect(s.objective).toBeCloseTo(3, 14);
    expect(s.grad).toBeCloseTo(2, 14);
  });

  it('grad of one number is forward mode, and marks the side of where the same way: no NaN after a where either', () => {
    // sqrt of where(y > 0, y, 0) at 0: the tangent 0 (side not taken) meets sqrt's infinite slope
    for (const body of ['sqrt(where(y > 0, y, 0))', 'where(y > 0, y, 0)^0.5 * 2 + 1', 'where(y != 0, sqrt(y), 0)', 'where(y > 0, y / y, 0)']) {
      const model = `g(y) = grad(${body}, y)\nmetric d = g(w)\nloss = g(w) + w^2`;
      expect(at(model, 0), body).toEqual({ objective: 0, grad: 0 });
      expect(Number.isFinite(at(model, 4).objective), body).toBe(true);
    }
    expect(at('g(y) = grad(sqrt(where(y > 0, y, 0)), y)\nloss = g(w)', 4).objective).toBeCloseTo(0.25, 15);
  });
});
