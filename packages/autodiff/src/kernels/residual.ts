// Sums of a residual t = m[j] - x[i, j] and of its square, by row and by column, in one pass over x
// (optimize/residual.ts finds them: a loss's sum of squares and its gradient's column sums).
import type { Kernel } from '../primitive.js';
import { scalarLib } from './scalar-lib.js';

/**
 * One pass over x [rows, cols], t = m[j] - x[i, j] (t = -x[i, j] when m is null); each non-null
 * output gets its sum times its scale: rowSq[i] = scale[0] Σ_j t², rowSum[i] = scale[1] Σ_j t,
 * colSq[j] = scale[2] Σ_i t², colSum[j] = scale[3] Σ_i t. Outputs must not overlap x or m.
 */
export type ResidualSums = (
  x: Float64Array, m: Float64Array | null, rows: number, cols: number,
  rowSq: Float64Array | null, rowSum: Float64Array | null, colSq: Float64Array | null, colSum: Float64Array | null,
  scale: Float64Array,
) => void;

/** The plain JS kernel (row sums in order along the row; the native one sums in vector lanes). */
export const residualSumsJs: ResidualSums = (x, m, rows, cols, rowSq, rowSum, colSq, colSum, scale) => {
  if (colSq !== null) colSq.fill(0, 0, cols);
  if (colSum !== null) colSum.fill(0, 0, cols);
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    let sq = 0;
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      const t = (m === null ? 0 : m[j]!) - x[base + j]!;
      sq += t * t;
      sum += t;
      if (colSum !== null) colSum[j]! += t;
      if (colSq !== null) colSq[j]! += t * t;
    }
    if (rowSq !== null) rowSq[i] = scale[0]! * sq;
    if (rowSum !== null) rowSum[i] = scale[1]! * sum;
  }
  for (let j = 0; j < cols; j++) {
    if (colSq !== null) colSq[j]! *= scale[2]!;
    if (colSum !== null) colSum[j]! *= scale[3]!;
  }
};

/** The four sums, in the order of ResidualSums' outputs and scales. */
export const RESIDUAL_SUMS = ['rowSq', 'rowSum', 'colSq', 'colSum'] as const;
export type ResidualSum = (typeof RESIDUAL_SUMS)[number];

/** One output of a residual kernel: which sum, its factor (an expression of the scalar inputs), and a constant factor. */
export interface ResidualOutput {
  readonly sum: ResidualSum;
  /** A scalar expression (from primitives' scalarExpr) over the names of `ResidualSpec.scalars`. */
  readonly coef: string;
  /** A constant factor (1 / n for a mean). */
  readonly scale: number;
}

/** What a residual kernel computes: x [rows, cols], with or without m, the scalar inputs' names, the outputs. */
export interface ResidualSpec {
  readonly rows: number;
  readonly cols: number;
  readonly hasM: boolean;
  readonly scalars: readonly string[];
  readonly outputs: readonly ResidualOutput[];
}

/**
 * The kernel of a residual spec, with inputs [x, m (when hasM), ...scalars (one element each),
 * ...the buffers of outputs[1..]] and out the buffer of outputs[0]. The sums' factors are computed
 * from the scalars at every run (a parameter may be one); the pass itself is `selected`'s.
 */
export function residualKernel(spec: ResidualSpec, selected: () => ResidualSums): Kernel {
  const coef = spec.outputs.map((o) =>
    new Function('lib', `return function coef(${spec.scalars.join(', ')}) { return ${o.coef}; };`)(scalarLib) as (...s: number[]) => number);
  const first = spec.hasM ? 2 : 1;
  const extra = first + spec.scalars.length;
  const scale = new Float64Array(4);
  const outs: (Float64Array | null)[] = [null, null, null, null];
  const values: number[] = spec.scalars.map(() => 0);
  const slot = spec.outputs.map((o) => RESIDUAL_SUMS.indexOf(o.sum));
  return (inputs, out) => {
    for (let k = 0; k < values.length; k++) values[k] = inputs[first + k]![0]!;
    outs.fill(null);
    for (let k = 0; k < slot.length; k++) {
      scale[slot[k]!] = spec.outputs[k]!.scale * coef[k]!(...values);
      outs[slot[k]!] = k === 0 ? out : inputs[extra + k - 1]!;
    }
    selected()(inputs[0]!, spec.hasM ? inputs[1]! : null, spec.rows, spec.cols, outs[0]!, outs[1]!, outs[2]!, outs[3]!, scale);
  };
}
