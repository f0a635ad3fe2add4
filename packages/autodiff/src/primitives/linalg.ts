// Linear-algebra primitives: batched matmul with transpose flags, the Euclidean norm, det and inv (derivatives: derivatives/linalg.ts).
import { batchedGemm, batchOffsets, type MatmulAttrs } from '../kernels/matmul.js';
import { describeKernel } from '../kernels/kernel-spec.js';
import { determinant, inverse } from '../kernels/lu.js';
import { reduceKernel } from '../kernels/reduce.js';
import { reduceCases, type ReduceAttrs } from './reduce.js';
import { definePrimitive, type CheckCase, type Primitive } from '../primitive.js';
import { broadcastShapes, formatShape, reducedShape, ShapeError, sizeOf, type Shape } from '../shape.js';

/** matmul computes op(A)·op(B), where op transposes the last two axes when its flag is set. */
export type { MatmulAttrs };

/** The norm reduces like the reductions: normalized axes and keepDims. */
export type NormAttrs = ReduceAttrs;

/** inv computes inv(A), or inv(A)ᵀ when `transpose` (det's derivative needs the latter). */
export interface InvAttrs {
  readonly transpose: boolean;
}

/** [m, k, n] of op(A)·op(B) and the broadcast batch shape; throws a ShapeError naming matmul. */
function matmulDims(a: Shape, b: Shape, { transA, transB }: MatmulAttrs): { m: number; k: number; n: number; batch: number[] } {
  if (a.length < 2 || b.length < 2) {
    throw new ShapeError('matmul', `the primitive needs rank >= 2 inputs, got ${formatShape(a)} and ${formatShape(b)}`);
  }
  const [a0, a1] = [a[a.length - 2]!, a[a.length - 1]!];
  const [b0, b1] = [b[b.length - 2]!, b[b.length - 1]!];
  const [m, ka] = transA ? [a1, a0] : [a0, a1];
  const [kb, n] = transB ? [b1, b0] : [b0, b1];
  if (ka !== kb) {
    throw new ShapeError('matmul', `inner dimensions differ: ${formatShape(a)}${transA ? 'ᵀ' : ''} @ ${formatShape(b)}${transB ? 'ᵀ' : ''}`);
  }
  return { m, k: ka, n, batch: broadcastShapes('matmul', [a.slice(0, -2), b.slice(0, -2)]) };
}

/** The square matrices [..., n, n] that det and inv take; returns n. */
export function squareSize(op: string, a: Shape): number {
  const n = a[a.length - 1];
  if (a.length < 2 || n !== a[a.length - 2]) throw new ShapeError(op, `needs square matrices [..., n, n], got ${formatShape(a)}`);
  return n!;
}

/** Adds 2·I to every trailing n × n matrix: entries sampled in [-0.5, 0.5] then stay well conditioned. */
export function wellConditioned(x: Float64Array, shape: Shape): void {
  const n = shape[shape.length - 1]!;
  for (let off = 0; off < x.length; off += n * n) for (let i = 0; i < n; i++) x[off + i * n + i]! += 2;
}

const flags = [false, true] as const;
const matmulCases: CheckCase<MatmulAttrs>[] = [
  // the same product [3,4]@[4,2] stored four ways
  ...flags.flatMap((transA) =>
    flags.map((transB) => ({ shapes: [transA ? [4, 3] : [3, 4], transB ? [2, 4] : [4, 2]], attrs: { transA, transB } })),
  ),
  { shapes: [[2, 3, 4], [4, 5]], attrs: { transA: false, transB: false } },
  { shapes: [[2, 1, 3, 4], [3, 4, 2]], attrs: { transA: false, transB: false } },
  { shapes: [[2, 4, 3], [1, 2, 4]], attrs: { transA: true, transB: true } },
  { shapes: [[1, 1], [1, 1]], attrs: { transA: false, transB: false } },
];


/** Batched op(A)·op(B) with numpy broadcasting of the batch axes. */
const matmul: Primitive<MatmulAttrs> = definePrimitive<MatmulAttrs>({
  name: 'matmul',
  arity: 2,
  shape: ([a, b], attrs) => {
    const { m, n, batch } = matmulDims(a!, b!, attrs);
    return [...batch, m, n];
  },
  prepare: ([a, b], _out, attrs) => {
    const { m, n, k, batch } = matmulDims(a!, b!, attrs);
    const gemm = { m, n, k, transA: attrs.transA, transB: attrs.transB };
    const aOffsets = batchOffsets(a!.slice(0, -2), batch, m * k);
    const bOffsets = batchOffsets(b!.slice(0, -2), batch, k * n);
    const run = batchedGemm(gemm, aOffsets, bOffsets);
    return describeKernel((inputs, out) => run(inputs[0]!, inputs[1]!, out), { kind: 'matmul', gemm, aOffsets, bOffsets });
  },
  check: { cases: matmulCases, domain: { lo: -2, hi: 2 } },
});

/** Inverse of [..., n, n] by Gauss–Jordan with partial pivoting (NaN when singular). */
const inv: Primitive<InvAttrs> = definePrimitive<InvAttrs>({
  name: 'inv',
  arity: 1,
  shape: ([a]) => {
    squareSize('inv', a!);
    return a!;
  },
  prepare: ([a], _out, { transpose }) => {
    const n = squareSize('inv', a!);
    const count = sizeOf(a!) / (n * n);
    return (inputs, o) => {
      const x = inputs[0]!;
      for (let t = 0; t < count; t++) inverse(x, t * n * n, o, t * n * n, n, transpose);
    };
  },
  check: {
    cases: [
      { shapes: [[2, 2]], attrs: { transpose: false } },
      { shapes: [[3, 3]], attrs: { transpose: false } },
      { shapes: [[3, 3]], attrs: { transpose: true } },
      { shapes: [[2, 3, 3]], attrs: { transpose: false } },
    ],
    domain: { lo: -0.5, hi: 0.5 },
    prepareInput: wellConditioned,
  },
});

export const linalgPrimitives = {
  matmul,
  /**
   * The Euclidean (Frobenius) norm over `axes`. A primitive so that its gradient at 0 is 0, not
   * NaN. The plain sum of squares is used (no rescaling): fine below ~1e150.
   */
  norm: definePrimitive<NormAttrs>({
    name: 'norm',
    arity: 1,
    shape: ([x], { axes, keepDims }) => reducedShape(x!, axes, keepDims),
    prepare: ([x], _out, { axes }) => reduceKernel({ init: '0', step: 'acc + v * v', finish: 'Math.sqrt(acc)' }, x!, axes),
    check: { cases: reduceCases, domain: { lo: -3, hi: 3, avoid: [0], margin: 0.2 } },
  }),
  /** Determinant of [..., n, n] by LU with partial pivoting. */
  det: definePrimitive<undefined>({
    name: 'det',
    arity: 1,
    shape: ([a]) => {
      squareSize('det', a!);
      return a!.slice(0, -2);
    },
    prepare: ([a], out) => {
      const n = squareSize('det', a!);
      const count = sizeOf(out);
      return (inputs, o) => {
        const x = inputs[0]!;
        for (let t = 0; t < count; t++) o[t] = determinant(x, t * n * n, n);
      };
    },
    check: {
      // no [1, 1] case: det is linear there, and a zero second derivative meets only rounding noise
      cases: [[[2, 2]], [[3, 3]], [[2, 3, 3]], [[2, 1, 4, 4]]].map((shapes) => ({ shapes, attrs: undefined })),
      domain: { lo: -0.5, hi: 0.5 },
      prepareInput: wellConditioned,
    },
  }),
  inv,
} satisfies Record<string, Primitive<MatmulAttrs> | Primitive<NormAttrs> | Primitive<undefined> | Primitive<InvAttrs>>;
