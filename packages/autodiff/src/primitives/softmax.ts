// softmax and logSoftmax over one axis: fused stable kernels (derivatives: derivatives/reduce.ts).
import { softmaxKernel } from '../kernels/softmax.js';
import { definePrimitive, type CheckCase, type Primitive } from '../primitive.js';
import { ShapeError } from '../shape.js';

/** The axis, already normalized (non-negative) by the op that builds the node. */
export interface AxisAttrs {
  readonly axis: number;
  /**
   * softmax only: a row whose values are all -inf gives 0s instead of NaN (0/0). Set by the
   * derivative of logsumexp (whose gradient there is 0), never by the public op.
   */
  readonly emptyAsZero?: boolean;
}

const cases: readonly CheckCase<AxisAttrs>[] = [
  { shapes: [[5]], attrs: { axis: 0 } },
  { shapes: [[3, 4]], attrs: { axis: 1 } },
  { shapes: [[3, 4]], attrs: { axis: 0 } },
  { shapes: [[2, 3, 4]], attrs: { axis: 1 } },
  { shapes: [[2, 3, 4]], attrs: { axis: 2 } },
  { shapes: [[3, 1]], attrs: { axis: 1 } },
  { shapes: [[3, 4]], attrs: { axis: 1, emptyAsZero: true } },
  { shapes: [[2, 3, 4]], attrs: { axis: 1, emptyAsZero: true } },
];

function softmaxFamily(name: string, log: boolean): Primitive<AxisAttrs> {
  return definePrimitive<AxisAttrs>({
    name,
    arity: 1,
    shape: ([x], { axis }) => {
      if (!Number.isInteger(axis) || axis < 0 || axis >= x!.length) {
        throw new ShapeError(name, `axis ${axis} is out of range for a tensor of rank ${x!.length}`);
      }
      return x!;
    },
    prepare: ([x], _out, { axis, emptyAsZero }) => softmaxKernel(x!, axis, log, undefined, !log && emptyAsZero === true),
    check: { cases, domain: { lo: -3, hi: 3 } },
  });
}

export const softmaxPrimitives = {
  // promoted to a primitive for stability and speed (one fused kernel instead of five ops)
  softmax: softmaxFamily('softmax', false),
  logSoftmax: softmaxFamily('logSoftmax', true),
} satisfies Record<string, Primitive<AxisAttrs>>;
