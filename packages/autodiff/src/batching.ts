// Batching rules for vmap, keyed by primitive name: how a primitive applies to inputs with a leading batch axis.
import { broadcastTo, permute, reshape } from './ops.js';
import type { ReduceAttrs } from './primitives/reduce.js';
import type { ConcatAttrs, PadSliceAttrs, PermAttrs, ShapeAttrs, SliceAttrs } from './primitives/movement.js';
import type { AxisAttrs } from './primitives/softmax.js';
import type { MatmulAttrs } from './kernels/matmul.js';
import type { Primitive } from './primitive.js';
import { apply, type Tensor } from './tensor.js';

/**
 * A batched input: its value with the batch axis first (`batched`), or the unbatched value shared
 * by every example (`batched` false).
 */
export interface BatchedValue {
  readonly value: Tensor;
  readonly batched: boolean;
}

/**
 * A batching rule: the primitive applied to every example at once. `inputs` hold values with the
 * batch axis first (or unbatched ones), `size` is the batch size, `node` the per-example node
 * being batched (its shape and attributes). Returns the result with the batch axis first, or
 * undefined where the rule does not cover these inputs (vmap then runs the primitive per example).
 */
export type BatchRule = (prim: Primitive, inputs: readonly BatchedValue[], attrs: unknown, node: Tensor, size: number) => Tensor | undefined;

/** `x` with axis `from` moved to position `to`. */
function moveAxis(x: Tensor, from: number, to: number): Tensor {
  if (from === to) return x;
  const rest = x.shape.map((_, i) => i).filter((i) => i !== from);
  return permute(x, [...rest.slice(0, to), from, ...rest.slice(to)]);
}

/** Batched inputs given rank `rank + 1` (batch, then 1s, then the example's axes) so they broadcast as the examples do. */
function aligned(inputs: readonly BatchedValue[], rank: number): Tensor[] {
  return inputs.map(({ value, batched }) => {
    if (!batched) return value;
    const missing = rank + 1 - value.rank;
    return missing > 0 ? reshape(value, [value.shape[0]!, ...new Array<number>(missing).fill(1), ...value.shape.slice(1)]) : value;
  });
}

/** Elementwise with numpy broadcasting (and matmul, whose leading axes broadcast alike). */
const broadcasting: BatchRule = (prim, inputs, attrs, node) => apply(prim, aligned(inputs, Math.max(node.rank, ...inputs.map((i) => i.value.rank - (i.batched ? 1 : 0)))), attrs);

const shiftAxis = (a: number): number => (a >= 0 ? a + 1 : a);

const reduction: BatchRule = (prim, [x], attrs) => {
  const a = attrs as ReduceAttrs;
  return apply(prim, [x!.value], { ...a, axes: a.axes.map(shiftAxis) });
};

const alongAxis: BatchRule = (prim, [x], attrs) => {
  const a = attrs as AxisAttrs;
  return apply(prim, [x!.value], { ...a, axis: shiftAxis(a.axis) });
};

const RULES = new Map<string, BatchRule>();

/** Registers the batching rule of primitive `name` (one per primitive; a second is an error). */
export function defineBatchRule(name: string, rule: BatchRule): void {
  if (RULES.has(name)) throw new Error(`batching rule for ${name} is defined twice`);
  RULES.set(name, rule);
}

/** The rule of a primitive, or undefined: vmap then runs the primitive once per example. */
export function batchRuleOf(name: string): BatchRule | undefined {
  return RULES.get(name);
}

const ELEMENTWISE = [
  'neg', 'exp', 'log', 'log1p', 'expm1', 'sqrt', 'abs', 'sign', 'sin', 'cos', 'tan', 'tanh', 'sigmoid', 'relu', 'softplus',
  'acos', 'asin', 'arcKernel', 'arcSlope', 'atan', 'erf', 'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum',
  'lt', 'le', 'gt', 'ge', 'eq', 'ne', 'where', 'identity', 'stopGradient',
];
for (const name of ELEMENTWISE) defineBatchRule(name, broadcasting);
for (const name of ['sum', 'mean', 'max', 'min', 'prod', 'logsumexp', 'norm']) defineBatchRule(name, reduction);
for (const name of ['softmax', 'logSoftmax']) defineBatchRule(name, alongAxis);

/** The input of `x` when `x` transposes its last two axes and moves no other, else undefined. */
function lastTwoSwapped(x: Tensor): Tensor | undefined {
  if (x.prim?.name !== 'transpose' || x.inputs.length !== 1) return undefined;
  const perm = (x.attrs as PermAttrs).perm;
  const r = perm.length;
  if (r < 2 || perm[r - 1] !== r - 2 || perm[r - 2] !== r - 1 || perm.slice(0, r - 2).some((p, i) => p !== i)) return undefined;
  return x.inputs[0];
}

// matmul broadcasts its leading axes; a batched operand that is a transpose of its last two axes
// is read through the product's transpose flag instead (what the products pass does for a lone
// example's rank-2 transposes, which it does not recognize with a batch axis in front)
defineBatchRule('matmul', (prim, inputs, attrs, node) => {
  const [a, b] = aligned(inputs, Math.max(node.rank, ...inputs.map((i) => i.value.rank - (i.batched ? 1 : 0))));
  const flags = attrs as MatmulAttrs;
  const fa = inputs[0]!.batched && a === inputs[0]!.value ? lastTwoSwapped(a!) : undefined;
  const fb = inputs[1]!.batched && b === inputs[1]!.value ? lastTwoSwapped(b!) : undefined;
  return apply(prim, [fa ?? a!, fb ?? b!], { ...flags, transA: fa ? !flags.transA : flags.transA, transB: fb ? !flags.transB : flags.transB });
});
defineBatchRule('transpose', (prim, [x], attrs) => apply(prim, [x!.value], { perm: [0, ...(attrs as PermAttrs).perm.map((p) => p + 1)] }));
defineBatchRule('reshape', (_prim, [x], attrs, _node, size) => reshape(x!.value, [size, ...(attrs as ShapeAttrs).shape]));
defineBatchRule('broadcastTo', (_prim, [x], attrs, _node, size) => {
  const target = (attrs as ShapeAttrs).shape;
  const [v] = aligned([x!], target.length);
  return broadcastTo(v!, [size, ...target]);
});
defineBatchRule('slice', (prim, [x], attrs, _node, size) => {
  const a = attrs as SliceAttrs;
  return apply(prim, [x!.value], { begin: [0, ...a.begin], end: [size, ...a.end] });
});
defineBatchRule('padSlice', (prim, [x], attrs, _node, size) => {
  const a = attrs as PadSliceAttrs;
  return apply(prim, [x!.value], { ...a, shape: [size, ...a.shape], begin: [0, ...a.begin] });
});
defineBatchRule('concat', (prim, inputs, attrs, _node, size) => {
  const a = attrs as ConcatAttrs;
  // every piece needs the batch axis: a shared one is repeated for each example
  const pieces = inputs.map(({ value, batched }) => (batched ? value : broadcastTo(value, [size, ...value.shape])));
  return apply(prim, pieces, { ...a, axis: shiftAxis(a.axis) });
});
// matrix functions of [..., n, n] (or [..., m, n]) that already map over leading axes
for (const name of ['det', 'inv', 'logdet', 'eigvalsh', 'eigvecsh', 'svdvals']) {
  defineBatchRule(name, (prim, [x], attrs) => apply(prim, [x!.value], attrs));
}
// gather picks rows (axis 0) by indices shared by every example: the batch axis goes second
// while picking, then first again; batched indices run per example
defineBatchRule('gather', (prim, [x, indices], attrs) => {
  if (indices!.batched || !x!.batched) return undefined;
  const picked = apply(prim, [moveAxis(x!.value, 0, 1), indices!.value], attrs);
  return moveAxis(picked, indices!.value.rank, 0);
});
// scatterAdd, gather's adjoint: values [...indices, ...rest] per example, the batch axis kept after the indices' axes
defineBatchRule('scatterAdd', (prim, [values, indices], attrs) => {
  if (indices!.batched || !values!.batched) return undefined;
  const summed = apply(prim, [moveAxis(values!.value, 0, indices!.value.rank), indices!.value], attrs);
  return moveAxis(summed, 1, 0);
});
