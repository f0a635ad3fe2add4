// Special primitives: the closed-form ReLU kernel relu_kernel(a, b), and the arc-cosine slope over a
// whole array in one kernel call (derivatives: derivatives/linalg.ts).
import { scalarLib } from '../kernels/scalar-lib.js';
import { batchOffsets } from '../kernels/matmul.js';
import { ARC_SLOPE, ARC_SLOPE_MASKED, ARC_VALUE, ARC_VALUE_FROM_MASKED, selectedKernel, type ArcMode } from '../kernels/registry.js';
import { definePrimitive, type Primitive } from '../primitive.js';
import { broadcastShapes, formatShape, sameShape, ShapeError, sizeOf, type Shape } from '../shape.js';

/** The broadcast leading shape of [..., d] and [..., d], and d; throws naming `op` on a mismatch. */
export function pairShape(op: string, a: Shape, b: Shape): { lead: number[]; d: number } {
  const d = a[a.length - 1];
  if (a.length === 0 || b.length === 0 || d !== b[b.length - 1]) {
    throw new ShapeError(op, `needs vectors [..., d] with the same last axis, got ${formatShape(a)} and ${formatShape(b)}`);
  }
  return { lead: broadcastShapes(op, [a.slice(0, -1), b.slice(0, -1)]), d: d! };
}

const TWO_PI = 2 * Math.PI;

/**
 * One value of the kernel: |a||b| (sin θ + (π − θ) cos θ) / (2π), θ the angle between a and b
 * with its cosine clamped to [-1, 1]; 0 when either vector is 0.
 */
function reluKernelValue(x: Float64Array, ao: number, y: Float64Array, bo: number, d: number): number {
  let aa = 0;
  let bb = 0;
  let ab = 0;
  for (let i = 0; i < d; i++) {
    const u = x[ao + i]!;
    const v = y[bo + i]!;
    aa += u * u;
    bb += v * v;
    ab += u * v;
  }
  const na = Math.sqrt(aa);
  const nb = Math.sqrt(bb);
  if (na === 0 || nb === 0) return 0;
  const c = Math.min(1, Math.max(-1, ab / (na * nb)));
  return (na * nb * scalarLib.arcKernel(c)) / TWO_PI;
}

/**
 * The arc-cosine kernel's slope (or value, or masked slope) of clamped cosines, one kernel call
 * over the array (kernels/registry.ts arcClamped, by mode).
 */
function arcClamped(name: string, mode: typeof ARC_SLOPE | typeof ARC_VALUE | typeof ARC_SLOPE_MASKED): Primitive<undefined> {
  return definePrimitive<undefined>({
    name,
    arity: 1,
    shape: ([c]) => c!,
    prepare: ([c]) => {
      const count = sizeOf(c!);
      return ([x], o) => selectedKernel('arcClamped')(x!, o, count, mode as ArcMode, null);
    },
    check: {
      cases: [
        { shapes: [[7]], attrs: undefined },
        { shapes: [[3, 5]], attrs: undefined },
      ],
      domain: { lo: -0.9, hi: 0.9 },
    },
  });
}

export const specialPrimitives = {
  /**
   * relu_kernel(a, b) = E_{x ~ N(0, I)} relu(a·x) relu(b·x) over the last axis, leading axes
   * broadcast: [..., d], [..., d] → [...]. A primitive for stability: the chain rule through acos
   * gives ∞·0 when a ∥ b, while the gradient itself is finite everywhere.
   */
  reluKernel: definePrimitive<undefined>({
    name: 'reluKernel',
    arity: 2,
    shape: ([a, b]) => pairShape('reluKernel', a!, b!).lead,
    prepare: ([a, b], out) => {
      const { d } = pairShape('reluKernel', a!, b!);
      const ao = batchOffsets(a!.slice(0, -1), out, d);
      const bo = batchOffsets(b!.slice(0, -1), out, d);
      const count = sizeOf(out);
      return ([x, y], o) => {
        for (let t = 0; t < count; t++) o[t] = reluKernelValue(x!, ao[t]!, y!, bo[t]!, d);
      };
    },
    check: {
      cases: [
        { shapes: [[3], [3]], attrs: undefined },
        { shapes: [[2, 4], [4]], attrs: undefined },
        { shapes: [[2, 1, 3], [2, 3]], attrs: undefined },
      ],
      domain: { lo: -1, hi: 1 },
    },
  }),
  /**
   * π − acos(clamp(x, −1, 1)) over a whole array by the selected kernel (native SIMD, else the JS
   * loop): the elementwise arcSlope of clamp(x, -1, 1), bit for bit. Not elementwise for the fusion
   * pass, so that one call runs the vectorised loop: the arc-slope pass puts it in place of a large
   * arcSlope of a clamped cosine.
   */
  arcSlopeClamped: arcClamped('arcSlopeClamped', ARC_SLOPE),
  /**
   * sqrt(1 − c·c) + (π − acos c)·c at c = clamp(x, −1, 1), the same way: the arc-cosine kernel's
   * value as the arc-slope pass writes it (sqrt(1 − c·c) + arcSlope(c)·c), bit for bit.
   */
  arcKernelClamped: arcClamped('arcKernelClamped', ARC_VALUE),
  /**
   * The slope π − acos c at c = clamp(x, −1, 1) where x >= −1 and max(x, −1) <= 1, 0 elsewhere:
   * the slope times the clamp's derivative masks, which a gradient through the clamp multiplies
   * it by. The arc-slope pass puts it where a gradient takes g·arcSlope(c)·[max(x, −1) <= 1]·[x >= −1].
   */
  arcSlopeMasked: arcClamped('arcSlopeMasked', ARC_SLOPE_MASKED),
  /**
   * arcKernelFromMasked(x, s): sqrt(1 − c·c) + s·c at c = clamp(x, −1, 1), with s the second input
   * where x is inside [−1, 1] (and the exact slope of c = ±1 outside). With s = arcSlopeMasked(x)
   * it is the arc-cosine kernel's value, bit for bit, without a second acos.
   */
  arcKernelFromMasked: definePrimitive<undefined>({
    name: 'arcKernelFromMasked',
    arity: 2,
    shape: ([c, s]) => {
      if (!sameShape(c!, s!)) throw new ShapeError('arcKernelFromMasked', `needs equal shapes, got ${formatShape(c!)} and ${formatShape(s!)}`);
      return c!;
    },
    prepare: ([c]) => {
      const count = sizeOf(c!);
      return ([x, s], o) => selectedKernel('arcClamped')(x!, o, count, ARC_VALUE_FROM_MASKED, s!);
    },
    check: {
      cases: [
        { shapes: [[7], [7]], attrs: undefined },
        { shapes: [[3, 5], [3, 5]], attrs: undefined },
      ],
      domain: [{ lo: -0.9, hi: 0.9 }, { lo: 0, hi: 3 }],
    },
  }),
} satisfies Record<string, Primitive<undefined>>;
