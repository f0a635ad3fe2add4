// The generated loop over a matrix output with row-broadcast ([R, 1]), column-broadcast ([C],
// [1, C]), full and one-element inputs, and over blocks of rows ([B, R, C], a batched sweep's
// seeds, inputs shared by every block or not), against the general strided loop (4-D, same
// values); C up to 20 covers rows written out in full (C <= UNROLL_COLS = 16) and the inner loop.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fusedKernel } from '../../../packages/autodiff/src/kernels/elementwise.js';

describe('elementwise loop over rows', () => {
  it('matches the strided loop for every mix of input layouts', () => {
    const layout = fc.constantFrom('full', 'row', 'col', 'col1', 'one');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 20 }), fc.array(layout, { minLength: 1, maxLength: 4 }), (R, C, kinds) => {
        const shapes = kinds.map((k) => (k === 'full' ? [R, C] : k === 'row' ? [R, 1] : k === 'col' ? [C] : k === 'col1' ? [1, C] : [1]));
        const inputs = shapes.map((s, i) => Float64Array.from({ length: s.reduce((a, b) => a * b, 1) }, (_, j) => (j + 1) * (i + 2) * 0.37));
        const body = kinds.map((_, i) => `const t${i} = (a${i} * ${i + 1.5});`).join(' ');
        const result = kinds.map((_, i) => `t${i}`).join(' + ');
        const rows = new Float64Array(R * C);
        fusedKernel(body, result, shapes, [R, C])(inputs, rows);
        // the same through a 4-D output [1, 1, R, C], which takes the general strided loop
        const strided = new Float64Array(R * C);
        fusedKernel(body, result, shapes.map((s) => (s.length === 2 ? [1, 1, ...s] : s)), [1, 1, R, C])(inputs, strided);
        expect(Array.from(rows)).toEqual(Array.from(strided));
      }),
      { numRuns: 400 },
    );
  });

  it('over blocks of rows, matches the strided loop for every mix of per-block and shared inputs', () => {
    const layout = fc.constantFrom('full', 'row', 'col', 'one', 'shared', 'sharedRow', 'blockCol');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 20 }), fc.array(layout, { minLength: 1, maxLength: 4 }), (B, R, C, kinds) => {
        const shapes = kinds.map((k) => ({
          full: [B, R, C], row: [B, R, 1], col: [C], one: [1], shared: [R, C], sharedRow: [R, 1], blockCol: [B, 1, C],
        } as Record<string, number[]>)[k]!);
        const inputs = shapes.map((s, i) => Float64Array.from({ length: s.reduce((a, b) => a * b, 1) }, (_, j) => (j + 1) * (i + 2) * 0.37));
        const body = kinds.map((_, i) => `const t${i} = (a${i} * ${i + 1.5});`).join(' ');
        const result = kinds.map((_, i) => `t${i}`).join(' + ');
        const blocked = new Float64Array(B * R * C);
        fusedKernel(body, result, shapes, [B, R, C])(inputs, blocked);
        const strided = new Float64Array(B * R * C);
        fusedKernel(body, result, shapes.map((s) => (s.length === 3 ? [1, ...s] : s)), [1, B, R, C])(inputs, strided);
        expect(Array.from(blocked)).toEqual(Array.from(strided));
      }),
      { numRuns: 400 },
    );
  });
});
