// The arc-cosine kernel's value read off its slope. h(c) = sqrt(1 - c²) + (π − acos c)·c and its
// derivative h'(c) = π − acos c (the arcSlope node its derivative rule makes) both take acos of
// the same cosines; in a plan holding both, arcKernel(c) becomes sqrt(1 - c·c) + arcSlope(c)·c,
// so that one loop computes each acos (stored once, read by the value's and the gradient's loops).
// Exact: the same operations in the same order as lib.arcKernel, so the values are bit-identical.
// Where the native kernels run, the slope of at least ARRAY_MIN clamped cosines,
// arcSlope(min(max(x, -1), 1)), becomes one arcSlopeClamped(x) call and the value one
// arcKernelClamped(x) call (native/arc.c: clamp, acos and the value a vector at a time without
// branches, the same bits as the generated loops) instead of JS loops calling lib.acos once per
// element behind a clamp whose branches mispredict on cosines near ±1 (a converged student). The
// value's kernel takes acos again: in SIMD that costs less than a JS loop reading the stored slope.
// Where the gradient takes the slope through the clamp, g·arcSlope(c)·[max(x, −1) <= 1]·[x >= −1]
// (the minimum's and maximum's rules), the slope and both masks come from one arcSlopeMasked(x)
// call, the gradient's loop is g·arcSlopeMasked(x), and the value is read off that masked slope by
// arcKernelFromMasked(x, s) (sqrt and a product, no second acos). Bit-identical too: the masks are
// 0 or 1, and g·(s·m) = ((g·s)·m1)·m2 unless g·s overflows.
import { graphNode, isConstant, scalarConstant, withInputs } from '../graph.js';
import { kernelBackend } from '../kernels/registry.js';
import { specialPrimitives } from '../primitives/special.js';
import { sameShape, sizeOf } from '../shape.js';
import { binaryPrimitives } from '../primitives/binary.js';
import { movementPrimitives } from '../primitives/movement.js';
import { unaryPrimitives } from '../primitives/unary.js';
import type { Tensor } from '../tensor.js';

/** The fewest cosines for which one native call beats the fused JS loop (its own buffer, no fusion). */
export const ARRAY_MIN = 4096;

/** The value of every element of a constant (through broadcasts), or undefined if they differ. */
function uniformValue(t: Tensor): number | undefined {
  if (t.prim?.name === 'broadcastTo' && t.tracked) return uniformValue(t.inputs[0]!);
  if (!isConstant(t) || t.size === 0) return undefined;
  const v = t.data[0]!;
  return t.data.every((x) => x === v) ? v : undefined;
}

/** x where `c` is minimum(maximum(x, -1), 1) of x's shape (the clamp the kernel computes), else undefined. */
function clampedFrom(c: Tensor): Tensor | undefined {
  if (c.prim?.name !== 'minimum' || !c.tracked || uniformValue(c.inputs[1]!) !== 1) return undefined;
  const m = c.inputs[0]!;
  if (m.prim?.name !== 'maximum' || !m.tracked || uniformValue(m.inputs[1]!) !== -1) return undefined;
  const x = m.inputs[0]!;
  return sameShape(x.shape, c.shape) && sameShape(m.shape, c.shape) ? x : undefined;
}

/** The other operand of a mul node `t` one of whose operands satisfies `is`, and that operand; else undefined. */
function mulWith(t: Tensor, is: (u: Tensor) => boolean): { other: Tensor; found: Tensor } | undefined {
  if (t.prim?.name !== 'mul' || !t.tracked) return undefined;
  const [a, b] = t.inputs as [Tensor, Tensor];
  if (is(b) && sameShape(a.shape, t.shape)) return { other: a, found: b };
  if (is(a) && sameShape(b.shape, t.shape)) return { other: b, found: a };
  return undefined;
}

/** Whether `t` is the comparison `name`(of, k) with k uniformly `value` (a clamp's derivative mask). */
function isMask(t: Tensor, name: string, of: Tensor, value: number): boolean {
  return t.prim?.name === name && t.tracked && t.inputs[0] === of && uniformValue(t.inputs[1]!) === value;
}

/**
 * g where `outer` is g·s·[m <= 1]·[x >= −1] (the gradient through the clamp c = min(m, 1),
 * m = max(x, −1), of a slope s = arcSlope(c)) as the rules of mul, minimum and maximum build it:
 * mul(mul(mul(g, s), le(m, 1)), ge(x, -1)), operands of each mul in either order; else undefined.
 */
function maskedSlopeUse(outer: Tensor, slope: Tensor, x: Tensor): Tensor | undefined {
  const m = slope.inputs[0]!.inputs[0]!;
  const byGe = mulWith(outer, (u) => isMask(u, 'ge', x, -1));
  const byLe = byGe && mulWith(byGe.other, (u) => isMask(u, 'le', m, 1));
  const bySlope = byLe && mulWith(byLe.other, (u) => u === slope);
  return bySlope?.other;
}

/**
 * The rewritten outputs (the same nodes where nothing applies) and how many arcKernel nodes now
 * read their slope; `order` is every node behind `outputs` in topological order.
 */
export function rewriteArcKernels(order: readonly Tensor[], outputs: readonly Tensor[]): { outputs: Tensor[]; replaced: number } {
  const slopeOf = new Map<number, Tensor>(); // cosine id -> its arcSlope node
  for (const n of order) {
    if (n.prim?.name === 'arcSlope' && n.tracked && !slopeOf.has(n.inputs[0]!.id)) slopeOf.set(n.inputs[0]!.id, n);
  }
  if (slopeOf.size === 0) return { outputs: [...outputs], replaced: 0 };
  const map = new Map<number, Tensor>();
  const get = (t: Tensor): Tensor => map.get(t.id) ?? t;
  const native = kernelBackend('arcClamped') === 'native';
  // the clamp's input where a slope node is computed by one arcSlopeClamped call (it pays), else undefined
  const arrayInput = (slope: Tensor): Tensor | undefined =>
    native && sizeOf(slope.shape) >= ARRAY_MIN ? clampedFrom(slope.inputs[0]!) : undefined;
  const arrays = new Map<number, Tensor>();
  const asArray = (slope: Tensor): Tensor => {
    const x = arrayInput(slope);
    if (x === undefined) return slope;
    let a = arrays.get(slope.id);
    if (a === undefined) {
      a = graphNode(specialPrimitives.arcSlopeClamped, [x], undefined, slope.name);
      arrays.set(slope.id, a);
    }
    return a;
  };
  // gradients taking a slope through its clamp's masks: node id -> its g, and the slopes they use
  const maskedUses = new Map<number, { g: Tensor; slope: Tensor }>();
  const maskedSlopes = new Set<number>();
  for (const n of order) {
    // the innermost product g·s, reached from the outer mul through its two masks
    const inner = mulWith(n, (u) => u.prim?.name === 'ge')?.other;
    const gs = inner && mulWith(inner, (u) => u.prim?.name === 'le')?.other;
    if (gs?.prim?.name !== 'mul') continue;
    for (const slope of gs.inputs) {
      if (slope.prim?.name !== 'arcSlope' || slopeOf.get(slope.inputs[0]!.id) !== slope) continue;
      const x = arrayInput(slope);
      const g = x && maskedSlopeUse(n, slope, x);
      if (g === undefined) continue;
      maskedUses.set(n.id, { g, slope });
      maskedSlopes.add(slope.id);
      break;
    }
  }
  const masked = new Map<number, Tensor>(); // slope id -> its arcSlopeMasked node
  const asMasked = (slope: Tensor): Tensor => {
    let a = masked.get(slope.id);
    if (a === undefined) {
      a = graphNode(specialPrimitives.arcSlopeMasked, [arrayInput(slope)!], undefined, slope.name);
      masked.set(slope.id, a);
    }
    return a;
  };
  let replaced = 0;
  for (const n of order) {
    if (n.prim === undefined || !n.tracked || n.inputs.length === 0) continue;
    const use = maskedUses.get(n.id);
    if (use !== undefined) {
      map.set(n.id, graphNode(binaryPrimitives.mul, [get(use.g), asMasked(use.slope)], undefined, n.name));
      continue;
    }
    const inputs = n.inputs.map(get);
    // (a cosine that is itself rewritten keeps its value's own acos: its slope node, read by the
    // gradient, is rebuilt on the rewritten cosine later in `order`)
    const slope = n.prim.name === 'arcKernel' && inputs[0] === n.inputs[0] ? slopeOf.get(n.inputs[0]!.id) : undefined;
    const x = slope === undefined ? undefined : arrayInput(slope);
    if (x !== undefined && maskedSlopes.has(slope!.id)) {
      // the value read off the masked slope the gradient computes: no second acos
      map.set(n.id, graphNode(specialPrimitives.arcKernelFromMasked, [x, asMasked(slope!)], undefined, n.name));
      replaced++;
    } else if (x !== undefined) {
      // the value in its own kernel call too: the same bits, without the clamp's branches in a JS loop
      map.set(n.id, graphNode(specialPrimitives.arcKernelClamped, [x], undefined, n.name));
      replaced++;
    } else if (slope !== undefined) {
      const c = inputs[0]!;
      const s = asArray(slope);
      const one = graphNode(movementPrimitives.broadcastTo, [scalarConstant(1)], { shape: [...c.shape] });
      const root = graphNode(unaryPrimitives.sqrt, [graphNode(binaryPrimitives.sub, [one, graphNode(binaryPrimitives.mul, [c, c], undefined)], undefined)], undefined);
      map.set(n.id, graphNode(binaryPrimitives.add, [root, graphNode(binaryPrimitives.mul, [s, c], undefined)], undefined, n.name));
      replaced++;
    } else if (n.prim.name === 'arcSlope' && slopeOf.get(n.inputs[0]!.id) === n && inputs[0] === n.inputs[0]) {
      const a = asArray(n);
      if (a !== n) map.set(n.id, a);
    } else if (inputs.some((t, k) => t !== n.inputs[k])) {
      map.set(n.id, withInputs(n, inputs));
    }
  }
  return { outputs: outputs.map(get), replaced };
}
