// Rewrites of matrix products in a traced graph, before it is planned. Each saves a pass over a
// large array or a whole product; all are exact up to floating-point reassociation.
//
//   matmul(transpose(A), B)        -> matmul(A, B) with A's transpose flag flipped (no copy)
//   transpose(matmul(A, B))        -> matmul(B, A) with both flags flipped (no copy)
//   matmul(c * A, B), matmul(-A, B) -> c * matmul(A, B), -matmul(A, B), for a one-element c (or
//                                     a broadcast of one), when A is larger than the product
//                                     (Pᵀ X with P [1e5, 50]: the scale then costs 2500
//                                     multiplies instead of 5e6), or as large when only loops
//                                     read the product (they scale it as they read it); also when A is read only by
//                                     products smaller than it, each of which is scaled (the
//                                     scaled A is never computed), or by such products and by
//                                     loops (elementwise nodes, reductions) that compute c * A
//                                     themselves as they read it
//   transpose(S)                   -> S, for S symmetric by construction: Xᵀ·X or X·Xᵀ of one X,
//                                     a commutative function of a vector v as column and row
//                                     (v vᵀ), and elementwise functions of such matrices and single
//                                     values (the regularizer |W2ᵀW2 - W1W1ᵀ|² of a deep matrix
//                                     factorization has a gradient W1·G + W1·Gᵀ, merged below
//                                     into W1·(G + Gᵀ) = W1·(G + G) with G symmetric)
//   fold over axis 0 of E          -> fold over axis 1 of Eᵀ, for E [n, n] an elementwise function of
//                                     symmetric matrices, single values and vectors laid out as a
//                                     column or a row (Eᵀ swaps the layouts): the column sums of
//                                     S ⊙ v vᵀ-like gradients (Σ_i X_ij v_i, the derivative of
//                                     |w_i||w_j| through its column factor) become the row sums its
//                                     row factor makes anyway, which cse then merges, and a row
//                                     fold reads its input contiguously and fuses with its loop.
//                                     Exact: the same elements summed in the same order
//   A·X + B·X (+ ...)              -> (A + B)·X, and X·A + X·B -> X·(A + B): one product instead
//                                     of two, for products of the same operand with the same
//                                     transpose flag in one sum (a gradient of a sum of terms
//                                     that share a matrix, e.g. W1 (G + Gᵀ) for |W1ᵀW1 - ..|²)
// Only rank-2 products are rewritten, and only nodes used once (by the node being rewritten), or
// scales read by products and loops alone, are folded away, so nothing is computed twice.
import { graphNode, withInputs } from '../graph.js';
import { attrsKey } from '../node-keys.js';
import { foldOf, type ReduceAttrs } from '../primitives/reduce.js';
import { binaryPrimitives } from '../primitives/binary.js';
import { linalgPrimitives, type MatmulAttrs } from '../primitives/linalg.js';
import { movementPrimitives } from '../primitives/movement.js';
import { unaryPrimitives } from '../primitives/unary.js';
import { sameShape } from '../shape.js';
import type { Primitive } from '../primitive.js';
import type { Tensor } from '../tensor.js';
import { scalarExprOf } from './fuse.js';


const isPrim = (t: Tensor, name: string): boolean => t.prim?.name === name && t.tracked;

function matmul(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  return graphNode(linalgPrimitives.matmul, [a, b], { transA, transB });
}

function transpose(a: Tensor): Tensor {
  return graphNode(movementPrimitives.transpose, [a], { perm: [1, 0] });
}

function add(a: Tensor, b: Tensor): Tensor {
  return graphNode(binaryPrimitives.add, [a, b], undefined);
}

/** A rank-2 transpose node (perm [1, 0]). */
function isTranspose(t: Tensor): boolean {
  if (!isPrim(t, 'transpose') || t.rank !== 2) return false;
  const { perm } = t.attrs as { perm: readonly number[] };
  return perm[0] === 1 && perm[1] === 0;
}

/** The number of consumers of each node of the old graph (an output counts as one). */
function useCounts(order: readonly Tensor[], outputs: readonly Tensor[]): Map<number, number> {
  const uses = new Map<number, number>();
  for (const n of order) for (const i of n.inputs) uses.set(i.id, (uses.get(i.id) ?? 0) + 1);
  for (const o of outputs) uses.set(o.id, (uses.get(o.id) ?? 0) + 1);
  return uses;
}

/** Counts of each rewrite, for tests and plan dumps. */
export interface ProductRewrites {
  transposes: number;
  scales: number;
  merged: number;
  /** Folds over axis 0 turned into folds over axis 1 of the transposed input. */
  rowFolds: number;
}

/** The rewritten outputs (the same nodes where nothing applies) and how many rewrites applied. */
export function rewriteProducts(order: readonly Tensor[], outputs: readonly Tensor[]): { outputs: Tensor[]; counts: ProductRewrites } {
  const uses = useCounts(order, outputs);
  const once = (t: Tensor): boolean => (uses.get(t.id) ?? 0) === 1;
  const counts: ProductRewrites = { transposes: 0, scales: 0, merged: 0, rowFolds: 0 };
  const map = new Map<number, Tensor>();
  const get = (t: Tensor): Tensor => map.get(t.id) ?? t;
  // `once` is asked of old nodes: new nodes are looked up through their origin
  const origin = new Map<number, Tensor>();
  const usedOnce = (t: Tensor): boolean => once(origin.get(t.id) ?? t);
  // consumers of each old node, and the outputs: a scale read only by products smaller than it
  // and by loops comes off every such product (each product is scaled instead)
  const consumers = new Map<number, Tensor[]>();
  for (const n of order) for (const i of new Set(n.inputs)) {
    const list = consumers.get(i.id);
    if (list === undefined) consumers.set(i.id, [n]);
    else list.push(n);
  }
  const outputIds = new Set(outputs.map((o) => o.id));
  /** Whether an old node is read only by loops (elementwise nodes, reductions) and is no output. */
  const onlyLoopsRead = (old: Tensor): boolean =>
    !outputIds.has(old.id) &&
    (consumers.get(old.id) ?? []).every((c) => scalarExprOf(c) !== undefined || (c.prim !== undefined && foldOf(c.prim.name) !== undefined));
  /**
   * The size an operand of the (old) product must exceed for a scale to come off it onto the
   * product: the product's size, or one less when only loops read the product (they scale it
   * as they read it: P·M with the softmax P [1e5, 50] of a nested gradient).
   */
  const peelBound = (product: Tensor): number => (onlyLoopsRead(product) ? product.size - 1 : product.size);
  // read only by products smaller than it (or as large, read only by loops: see peelBound) and by
  // loops (elementwise nodes, reductions, which compute a scale of their input inside the loop):
  // the products take the unscaled operand, and
  // with products alone the scaled one is never computed
  const readInLoops = (t: Tensor): boolean => {
    const old = origin.get(t.id) ?? t;
    if (outputIds.has(old.id)) return false;
    const list = consumers.get(old.id) ?? [];
    return list.every((c) =>
      (isPrim(c, 'matmul') && c.rank === 2 && old.size > peelBound(c)) ||
      scalarExprOf(c) !== undefined ||
      (c.prim !== undefined && foldOf(c.prim.name) !== undefined));
  };
  /** A one-element value, or a broadcast of one: the one-element value; else undefined. */
  const oneValue = (c: Tensor): Tensor | undefined =>
    c.size === 1 ? c : isPrim(c, 'broadcastTo') && c.inputs[0]!.size === 1 ? c.inputs[0]! : undefined;

  /**
   * Whether a (rewritten) node is a square matrix symmetric by construction: Xᵀ·X or X·Xᵀ, a
   * transpose of one, or an elementwise function of such matrices and single values.
   */
  const symmetricMemo = new Map<number, boolean>();
  function symmetric(t: Tensor): boolean {
    if (t.rank !== 2 || t.shape[0] !== t.shape[1] || !t.tracked || t.prim === undefined) return false;
    const known = symmetricMemo.get(t.id);
    if (known !== undefined) return known;
    let result = false;
    if (isPrim(t, 'matmul')) {
      const { transA, transB } = t.attrs as MatmulAttrs;
      result = t.inputs[0] === t.inputs[1] && transA !== transB;
    } else if (isTranspose(t)) {
      result = symmetric(t.inputs[0]!);
    } else if (scalarExprOf(t) !== undefined && !isPrim(t, 'broadcastTo')) {
      result = t.inputs.every((i) => oneValue(i) !== undefined || (sameShape(i.shape, t.shape) && symmetric(i))) ||
        outerOfOne(t);
    }
    symmetricMemo.set(t.id, result);
    return result;
  }

  /** The vector v that `t` lays out as a column [n, 1] (or as a row [1, n], with `asRow`), else undefined. */
  const laidOut = (t: Tensor, asRow: boolean): Tensor | undefined => {
    if (!isPrim(t, 'reshape') || t.rank !== 2 || t.shape[asRow ? 0 : 1] !== 1) return undefined;
    const v = t.inputs[0]!;
    return v.rank === 1 ? v : undefined;
  };
  /** f(v_i, v_j) for a commutative f of one vector v as a column and as a row (the outer product |w_i||w_j|). */
  function outerOfOne(t: Tensor): boolean {
    if (!['add', 'mul', 'maximum', 'minimum'].some((name) => isPrim(t, name))) return false;
    const [x, y] = t.inputs as [Tensor, Tensor];
    const column = laidOut(x, false) ?? laidOut(y, false);
    const row = laidOut(x, false) !== undefined ? laidOut(y, true) : laidOut(x, true);
    return column !== undefined && row !== undefined && sameValue(column, row);
  }
  /** The same node, or one primitive with equal attributes on the same inputs (cse merges them later). */
  function sameValue(a: Tensor, b: Tensor): boolean {
    if (a === b) return true;
    if (a.prim === undefined || a.prim !== b.prim || !a.tracked || !b.tracked || a.inputs.length !== b.inputs.length) return false;
    const key = attrsKey(a.attrs);
    return key !== undefined && key === attrsKey(b.attrs) && a.inputs.every((i, k) => i === b.inputs[k]);
  }

  /** A vector v laid out as [n, 1] (column) or [1, n] (row). */
  const layout = (v: Tensor, asRow: boolean): Tensor =>
    graphNode(movementPrimitives.reshape, [v], { shape: asRow ? [1, v.shape[0]!] : [v.shape[0]!, 1] });

  /**
   * tᵀ built without a copy, for t an operand of a square [n, n] elementwise expression: a
   * symmetric matrix (itself), a single value (itself), a vector laid out as a column or a row
   * (the other layout), an elementwise node of such operands (the same node on their
   * transposes); else undefined. `depth` bounds the recursion.
   */
  function transposedOperand(t: Tensor, n: number, depth: number): Tensor | undefined {
    if (t.size === 1 || symmetric(t)) return t;
    const column = laidOut(t, false);
    if (column !== undefined && t.shape[0] === n) return layout(column, true);
    const row = laidOut(t, true);
    if (row !== undefined && t.shape[1] === n) return layout(row, false);
    if (depth === 0 || !t.tracked || t.rank !== 2 || t.shape[0] !== n || t.shape[1] !== n) return undefined;
    if (scalarExprOf(t) === undefined) return undefined;
    const inputs: Tensor[] = [];
    for (const i of t.inputs) {
      const ti = transposedOperand(i, n, depth - 1);
      if (ti === undefined) return undefined;
      inputs.push(ti);
    }
    return withInputs(t, inputs);
  }

  /** A fold over axis 0 of a square matrix as a fold over axis 1 of its transpose (see the header), else undefined. */
  function rowFold(n: Tensor, x: Tensor): Tensor | undefined {
    if (n.prim === undefined || foldOf(n.prim.name) === undefined || x.rank !== 2 || x.shape[0] !== x.shape[1]) return undefined;
    const { axes, keepDims } = n.attrs as ReduceAttrs;
    if (axes.length !== 1 || axes[0] !== 0) return undefined;
    const xt = transposedOperand(x, x.shape[0]!, 4);
    if (xt === undefined) return undefined;
    const folded = graphNode(n.prim as Primitive<ReduceAttrs>, [xt], { axes: [1], keepDims: false }, n.name);
    counts.rowFolds++;
    return keepDims ? graphNode(movementPrimitives.reshape, [folded], { shape: [...n.shape] }) : folded;
  }

  /** tᵀ, which is t itself for a symmetric t. */
  const transposeOf = (t: Tensor): Tensor => (symmetric(t) ? t : transpose(t));

  /** A product with its operands' transposes folded into the flags. */
  function product(a: Tensor, b: Tensor, { transA, transB }: MatmulAttrs): Tensor {
    // (a transpose used elsewhere too is still computed there, but not read here)
    if (isTranspose(a)) {
      a = a.inputs[0]!;
      transA = !transA;
      counts.transposes++;
    }
    if (isTranspose(b)) {
      b = b.inputs[0]!;
      transB = !transB;
      counts.transposes++;
    }
    return matmul(a, b, transA, transB);
  }

  /** A one-element factor or a negation applied to `t` (used once), peeled off; else undefined. */
  function peel(t: Tensor): { base: Tensor; wrap: (p: Tensor) => Tensor } | undefined {
    if (!usedOnce(t) && !readInLoops(t)) return undefined;
    if (isPrim(t, 'neg')) return { base: t.inputs[0]!, wrap: (p) => graphNode(unaryPrimitives.neg, [p], undefined) };
    if (isPrim(t, 'mul')) {
      const [x, y] = t.inputs as [Tensor, Tensor];
      for (const [base, c] of [[x, y], [y, x]] as const) {
        const one = oneValue(c);
        if (one !== undefined && one.rank <= base.rank && sameShape(base.shape, t.shape)) {
          return { base, wrap: (p) => graphNode(binaryPrimitives.mul, [p, one], undefined) };
        }
      }
    }
    return undefined;
  }

  function rewriteMatmul(n: Tensor, a: Tensor, b: Tensor): Tensor {
    let p = product(a, b, n.attrs as MatmulAttrs);
    const flags: MatmulAttrs = { transA: (p.attrs as MatmulAttrs).transA, transB: (p.attrs as MatmulAttrs).transB };
    let [pa, pb] = p.inputs as [Tensor, Tensor];
    const wraps: ((t: Tensor) => Tensor)[] = [];
    const bound = peelBound(n);
    for (;;) {
      const left = pa.size > bound ? peel(pa) : undefined;
      const right = left === undefined && pb.size > bound ? peel(pb) : undefined;
      const peeled = left ?? right;
      if (peeled === undefined) break;
      if (left) pa = left.base;
      else pb = right!.base;
      wraps.push(peeled.wrap);
      counts.scales++;
    }
    if (wraps.length === 0) return p;
    p = product(pa, pb, flags);
    for (const w of wraps) p = w(p);
    return p;
  }

  /** An add whose terms another add collects: a same-shape add used once, by a same-shape add. */
  const innerTerm = (t: Tensor): boolean => {
    if (!usedOnce(t)) return false;
    const [c] = consumers.get((origin.get(t.id) ?? t).id) ?? [];
    return c !== undefined && isPrim(c, 'add') && sameShape(c.shape, t.shape) && c.inputs.every((i) => sameShape(i.shape, t.shape));
  };

  /**
   * The terms of a sum of same-shape adds whose inner adds are used only by it, left to right.
   * Iterative: a sum of 10,000 terms is a chain 10,000 adds deep.
   */
  function terms(root: Tensor, shape: readonly number[]): Tensor[] {
    const out: Tensor[] = [];
    const stack: Tensor[] = [root];
    while (stack.length > 0) {
      const t = stack.pop()!;
      if (isPrim(t, 'add') && sameShape(t.shape, shape) && (t === root || usedOnce(t))) {
        const [x, y] = t.inputs as [Tensor, Tensor];
        if (sameShape(x.shape, shape) && sameShape(y.shape, shape)) {
          stack.push(y, x);
          continue;
        }
      }
      out.push(t);
    }
    return out;
  }

  /** Merges products in a sum that share an operand (same node, same flag, same side). */
  function rewriteSum(n: Tensor): Tensor {
    const isProduct = (t: Tensor): boolean =>
      isPrim(t, 'matmul') && t.rank === 2 && t.inputs[0]!.rank === 2 && t.inputs[1]!.rank === 2 && usedOnce(t);
    const list = terms(n, n.shape);
    if (list.filter(isProduct).length < 2) return n;
    let merged = false;
    for (let i = 0; i < list.length; i++) {
      if (!isProduct(list[i]!)) continue;
      for (let j = i + 1; j < list.length; j++) {
        const x = list[i]!;
        const y = list[j]!;
        if (!isProduct(y)) continue;
        const fx = x.attrs as MatmulAttrs;
        const fy = y.attrs as MatmulAttrs;
        const [xa, xb] = x.inputs as [Tensor, Tensor];
        const [ya, yb] = y.inputs as [Tensor, Tensor];
        let m: Tensor | undefined;
        if (xb === yb && fx.transB === fy.transB) {
          // op(xa)·op(B) + op(ya)·op(B) = op(xa + ya')·op(B), ya' = ya or yaᵀ to match xa's flag
          m = matmul(add(xa, fx.transA === fy.transA ? ya : transposeOf(ya)), xb, fx.transA, fx.transB);
        } else if (xa === ya && fx.transA === fy.transA) {
          m = matmul(xa, add(xb, fx.transB === fy.transB ? yb : transposeOf(yb)), fx.transA, fx.transB);
        }
        if (m === undefined) continue;
        origin.set(m.id, origin.get(x.id) ?? x); // used once, like the terms it replaces
        list[i] = m;
        list.splice(j, 1);
        counts.merged++;
        merged = true;
        j = i; // look again for partners of the merged product
      }
    }
    if (!merged) return n;
    let sum = list[0]!;
    for (let k = 1; k < list.length; k++) sum = add(sum, list[k]!);
    return sum;
  }

  for (const n of order) {
    if (n.prim === undefined || !n.tracked || n.inputs.length === 0) continue;
    const inputs = n.inputs.map(get);
    let out: Tensor = n;
    if (isPrim(n, 'matmul') && n.rank === 2 && inputs[0]!.rank === 2 && inputs[1]!.rank === 2) {
      out = rewriteMatmul(n, inputs[0]!, inputs[1]!);
      const f = out.attrs as MatmulAttrs;
      const g = n.attrs as MatmulAttrs;
      if (out.prim === n.prim && out.inputs[0] === n.inputs[0] && out.inputs[1] === n.inputs[1] && f.transA === g.transA && f.transB === g.transB) out = n;
    } else if (isTranspose(n) && symmetric(inputs[0]!)) {
      out = inputs[0]!;
      counts.transposes++;
    } else if (isTranspose(n) && isPrim(inputs[0]!, 'matmul') && inputs[0]!.rank === 2 && usedOnce(inputs[0]!)) {
      const p = inputs[0]!;
      const { transA, transB } = p.attrs as MatmulAttrs;
      out = matmul(p.inputs[1]!, p.inputs[0]!, !transB, !transA);
      counts.transposes++;
    } else if (inputs.some((t, k) => t !== n.inputs[k])) {
      out = withInputs(n, inputs);
    }
    if (n.inputs.length === 1) out = rowFold(n, inputs[0]!) ?? out;
    // a sum is rewritten once, at its outermost add (its inner adds are its terms)
    if (isPrim(out, 'add') && !innerTerm(n)) out = rewriteSum(out);
    if (out !== n) {
      map.set(n.id, out);
      if (!origin.has(out.id)) origin.set(out.id, n);
    }
  }
  return { outputs: outputs.map(get), counts };
}
