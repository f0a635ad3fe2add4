// Elementwise and reduction kernels run by the interpreter (no `new Function`), bit-identical to the generated ones.
import type { Kernel } from '../primitive.js';
import { broadcastStrides, sameShape, sizeOf, subgridOffsets, type Shape } from '../shape.js';
import { compileExpression, compileStatements, Slots, type Eval } from './interpret.js';
import type { FusedRead, Fold } from './reduce.js';

/**
 * `body` then `out[p] = result` for every element, inputs a0..a{k-1} broadcast to `out`: the
 * same arithmetic as kernels/elementwise.ts's loops, element by element in row-major order.
 */
export function interpretedFused(body: string, result: string, inputs: readonly Shape[], out: Shape): Kernel {
  const shape = out.length === 0 ? [1] : out;
  const size = sizeOf(shape);
  if (size === 0) return () => {};
  const slots = new Slots();
  inputs.forEach((_, i) => slots.declare(`a${i}`));
  const run = compileStatements(body, slots);
  const value = compileExpression(result, slots);
  const s = new Float64Array(slots.size);
  const k = inputs.length;
  const rank = shape.length;
  const strides = inputs.map((sh) => broadcastStrides(sh, shape));
  const idx = new Int32Array(rank);
  const off = new Int32Array(k);
  if (inputs.every((sh) => sizeOf(sh) === 1 || sameShape(sh, out))) {
    // every input has the output's shape or one element: index p, or 0
    const step = inputs.map((sh) => (sizeOf(sh) === 1 ? 0 : 1));
    return (ins, o) => {
      for (let p = 0; p < size; p++) {
        for (let i = 0; i < k; i++) s[i] = ins[i]![p * step[i]!]!;
        run(s);
        o[p] = value(s);
      }
    };
  }
  return (ins, o) => {
    idx.fill(0);
    off.fill(0);
    for (let p = 0; p < size; p++) {
      for (let i = 0; i < k; i++) s[i] = ins[i]![off[i]!]!;
      run(s);
      o[p] = value(s);
      // advance the row-major index and every input's offset
      for (let ax = rank - 1; ax >= 0; ax--) {
        idx[ax]!++;
        for (let i = 0; i < k; i++) off[i]! += strides[i]![ax]!;
        if (idx[ax]! < shape[ax]!) break;
        for (let i = 0; i < k; i++) off[i]! -= strides[i]![ax]! * shape[ax]!;
        idx[ax] = 0;
      }
    }
  };
}


interface CompiledFold {
  readonly init: Eval;
  readonly step: Eval;
  readonly finish: Eval | undefined;
  readonly pre: CompiledFold | undefined;
}

/**
 * A reduction of `fold` over `axes` of `shape`, each output's elements folded in row-major order
 * of the reduced axes (the order of every generated layout), a `pre` fold first into `m`. With
 * `read`, each element is computed from the group's inputs at its index (scalars at 0, per-row
 * inputs at the output's index, per-column inputs at the element's index in its row).
 */
export function interpretedReduce(fold: Fold, shape: Shape, axes: readonly number[], read?: FusedRead): Kernel {
  const slots = new Slots();
  const ACC = slots.declare('acc');
  const V = slots.declare('v');
  const N = slots.declare('n');
  const M = slots.declare('m');
  const inputCount = read ? read.scalar.length : 1;
  if (read) for (let i = 0; i < inputCount; i++) slots.declare(`a${i}`);
  const body = read ? compileStatements(read.body, slots) : undefined;
  const value = read ? compileExpression(read.result, slots) : undefined;
  const compile = (f: Fold): CompiledFold => ({
    init: compileExpression(f.init, slots),
    step: compileExpression(f.step, slots),
    finish: f.finish === undefined ? undefined : compileExpression(f.finish, slots),
    pre: f.pre === undefined ? undefined : compile(f.pre),
  });
  const compiled = compile(fold);
  const s = new Float64Array(slots.size);
  const kept = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const outer = subgridOffsets(shape, kept);
  const inner = subgridOffsets(shape, axes);
  const count = inner.length;
  const scalar = read?.scalar ?? [];
  const row = read?.row ?? scalar.map(() => false);
  const col = read?.col ?? scalar.map(() => false);
  const A0 = 4; // slot of a0, declared right after acc, v, n, m

  const cols = shape[shape.length - 1] ?? 1;
  // per-row inputs are read at the element's row (its index over every axis but the last), per-column ones at its column
  const element = (ins: readonly Float64Array[], q: number): number => {
    if (!read) return ins[0]![q]!;
    for (let i = 0; i < inputCount; i++) s[A0 + i] = ins[i]![scalar[i] ? 0 : row[i] ? Math.floor(q / cols) : col[i] ? q % cols : q]!;
    body!(s);
    return value!(s);
  };
  const run = (f: CompiledFold, ins: readonly Float64Array[], base: number): number => {
    if (f.pre) s[M] = run(f.pre, ins, base);
    s[ACC] = f.init(s);
    for (let r = 0; r < count; r++) {
      s[V] = element(ins, base + inner[r]!);
      s[ACC] = f.step(s);
    }
    s[N] = count;
    return f.finish ? f.finish(s) : s[ACC]!;
  };
  return (ins, out) => {
    s.fill(0);
    for (let o = 0; o < outer.length; o++) out[o] = run(compiled, ins, outer[o]!);
  };
}
