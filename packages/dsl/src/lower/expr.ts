// Lowering of expressions to autodiff ops over index-labelled values.
import {
  abs, add, backward, div, eq, ge, gt, le, lt, matmul, mean, mul, ne, neg, norm, permute, pow, reshape,
  scalar, slice, softmax, square, stack, stopGradient, sub, sum, sumsq, variable, type Tensor,
  expandDims, squeeze, gather, logsumexp, max, min, prod, formatShape, broadcastShapes, broadcastTo,
  matmulT, arcKernel, clamp, maximum, withSharedNodes, placeholder, constant as tensorConstant,
  forwardDerivative, ones,
} from '@descent/autodiff';
import type { Binary, Call, Compare, Expr, FuncStmt, Grad, Ident, Index, Name, Reduce, Slice } from '../ast.js';
import type { Declaration } from '../check/bound.js';
import { children } from '../check/dependencies.js';
import { callBuiltin, isBuiltin } from './builtins.js';
import type { LowerContext } from './context.js';
import { fail, located, Reported, unchecked } from './failure.js';
import type { Bound, Scope } from './scope.js';
import {
  axesOf, checkIndexSizes, constantNumber, describe, DRAW, isRandom, layout, positionalAxes, unionIndex, val, zipWith, type Val,
} from './values.js';

const constant = (x: number): Val => val(scalar(x));

export class ExprLowerer {
  /**
   * Function calls already lowered, per calling scope: the same function on the same argument
   * values in the same scope is one subgraph, so `f1(x) = f0(x) + f0(x)` chained 60 deep builds
   * 60 nodes, not 2^60. A call that drew random constants (`randn` in the body) is not shared.
   */
  private readonly calls = new WeakMap<Scope, Map<string, Val>>();
  /**
   * The unit vectors of each value relu_kernel has normalized (by tensor): relu_kernel(w[i], w[j])
   * and relu_kernel(w[i], v) divide w by its norms once, so that the gradient sums the two
   * cotangents of the unit vectors and differentiates the division once.
   */
  private readonly units = new WeakMap<Tensor, Tensor>();
  /** Counts `randn`/`rand` calls lowered, to tell which function bodies draw. */
  private randomDraws = 0;

  constructor(private readonly ctx: LowerContext) {}

  private fail(message: string, at: Expr | Call | { span: { start: number; end: number } }, hint?: string): never {
    return fail(this.ctx.reporter, message, at, hint);
  }

  lower(e: Expr, scope: Scope): Val {
    switch (e.kind) {
      case 'Num':
        return constant(e.value);
      case 'Str':
        return this.fail('a string can only be the argument of load("...")', e);
      case 'Name':
        return this.reference(e, scope);
      case 'Vector': {
        const items = e.elements.map((x) => this.lower(x, scope));
        return located(this.ctx.reporter, e, 'a vector literal', () => {
          const index = unionIndex(items);
          const rank = Math.max(0, ...items.map((v) => v.shape.length));
          return val(stack(layoutAll(items, index, rank), index.length), index);
        });
      }
      case 'Unary': {
        const v = this.lower(e.operand, scope);
        return e.op === '-' ? val(neg(v.t), v.index) : v;
      }
      case 'Binary':
        return this.binary(e, scope);
      case 'Compare':
        return this.compare(e, scope);
      case 'Transpose': {
        const v = this.lower(e.operand, scope);
        if (v.shape.length < 2) return v;
        const k = v.index.length;
        const perm = [...v.index.map((_, i) => i), ...v.shape.map((_, j) => k + v.shape.length - 1 - j)];
        return val(permute(v.t, perm), v.index);
      }
      case 'Norm': {
        const v = this.lower(e.operand, scope);
        if (v.shape.length === 0) return val(abs(v.t), v.index);
        return val(norm(v.t, positionalAxes(v)), v.index);
      }
      case 'Index':
        return this.index(e, scope);
      case 'Slice':
        return this.fail('a range `a:b` can only appear inside brackets, as in `X[a:b]`', e);
      case 'Call':
        return this.call(e, scope);
      case 'Reduce':
        return this.reduce(e, scope);
      case 'Softmax': {
        const inner = this.bindIndices(e.indices, e.body, scope);
        const body = this.lower(e.body, inner);
        if (e.indices.length !== 1) this.fail('softmax normalizes over one index', e);
        const name = e.indices[0]!.name;
        if (!body.index.includes(name)) this.fail(`softmax_${name}: the expression does not use index \`${name}\``, e);
        return val(softmax(body.t, axesOf(body, [name])[0]), body.index);
      }
      case 'Expectation': {
        const body = this.lower(e.body, scope);
        return this.expectation(body);
      }
      case 'Grad':
        return this.grad(e, scope);
      case 'Stop': {
        const v = this.lower(e.body, scope);
        return val(stopGradient(v.t), v.index);
      }
    }
  }

  /** The declaration the checker resolved `at` to. */
  declaration(at: Name | Ident): Declaration {
    return this.ctx.bindings.get(at) ?? unchecked(this.ctx.reporter, `the name \`${at.name}\``, at);
  }

  /** The declaration of `at`, one that holds a value in a scope (not a built-in constant nor `step`). */
  bound(at: Name | Ident): Bound {
    const d = this.declaration(at);
    return d.kind === 'constant' || d.kind === 'step' ? unchecked(this.ctx.reporter, `the built-in \`${at.name}\` as a declaration`, at) : d;
  }

  /** The value a name stands for here. */
  private reference(at: Name | Ident, scope: Scope): Val {
    const d = this.declaration(at);
    if (d.kind === 'constant') return constant(d.value);
    if (d.kind === 'step') {
      this.ctx.step ??= placeholder([], 'step');
      return val(this.ctx.step);
    }
    const name = d.name;
    // a global whose statement failed, or the objective's `loss` after a failed objective, adds no second error
    const b = scope.get(d) ?? { kind: 'failed' };
    switch (b.kind) {
      case 'value':
        return b.val;
      case 'dim':
        return constant(b.value);
      case 'index': {
        // an index variable as a value is its 0-based position along the axis it ranges over
        if (b.size === undefined) {
          return this.fail(`the range of \`${name}\` is not known where it is used as a value`, at,
            `index a named tensor with it in the same expression, as in \`sum_${name} ${name} * w[${name}]\``);
        }
        const data = new Float64Array(b.size);
        for (let k = 0; k < b.size; k++) data[k] = k;
        return val(tensorConstant(data, [b.size]), [name]);
      }
      case 'failed':
        throw new Reported();
      case 'function':
        return unchecked(this.ctx.reporter, `the function \`${name}\` used as a value`, at);
    }
  }

  /**
   * A scope binding the index variables `indices` for `body`, each with its range when `body`
   * indexes a declared tensor with it (`w[i]`: the length of w's axis), so `i` can be a value.
   */
  bindIndices(indices: readonly Ident[], body: Expr, scope: Scope): Scope {
    const inner = scope.child();
    const sizes = this.indexRanges(body, indices.map((i) => i.name), scope);
    for (const id of indices) {
      const size = sizes.get(id.name);
      inner.set(this.bound(id), size === undefined ? { kind: 'index' } : { kind: 'index', size });
    }
    return inner;
  }

  /**
   * The ranges of index variables `names` read off `body` without lowering it: where `w[.., i, ..]`
   * indexes a name bound to a value, `i` ranges over that axis. Entries before `i` that are
   * integers or slices keep or drop their axes as the lowering does.
   */
  private indexRanges(body: Expr, names: readonly string[], scope: Scope): Map<string, number> {
    const out = new Map<string, number>();
    const stack: Expr[] = [body];
    while (stack.length > 0 && out.size < names.length) {
      const e = stack.pop()!;
      stack.push(...children(e));
      if (e.kind !== 'Index' || e.target.kind !== 'Name') continue;
      const d = this.ctx.bindings.get(e.target);
      const b = d === undefined || d.kind === 'constant' || d.kind === 'step' ? undefined : scope.get(d);
      if (b?.kind !== 'value') continue;
      const shape = b.val.shape;
      let axis = 0;
      for (const ix of e.indices) {
        if (axis >= shape.length) break;
        if (ix.kind === 'Name' && names.includes(ix.name) && !out.has(ix.name)) out.set(ix.name, shape[axis]!);
        axis++;
      }
    }
    return out;
  }

  /** E[e]: the weighted mean over the draw axis. */
  expectation(body: Val): Val {
    if (!isRandom(body)) return body;
    const draws = this.ctx.draws!;
    const k = body.index.indexOf(DRAW);
    let t = body.t;
    if (k !== 0) t = permute(t, [k, ...t.shape.map((_, i) => i).filter((i) => i !== k)]);
    const rest = body.index.filter((n) => n !== DRAW);
    if (draws.weights === null) return val(mean(t, 0), rest);
    const w = reshape(draws.weights, [draws.count, ...new Array<number>(t.rank - 1).fill(1)]);
    return val(sum(mul(t, w), 0), rest);
  }

  private binary(e: Binary, scope: Scope): Val {
    // |x|^2 is the squared norm: no square root, so no NaN gradient at 0
    if (e.op === '^' && e.left.kind === 'Norm' && e.right.kind === 'Num' && e.right.value === 2) {
      const inner = e.left.operand;
      if (inner.kind === 'Binary' && inner.op === '-') {
        const a = this.lower(inner.left, scope);
        const b = this.lower(inner.right, scope);
        const expanded = located(this.ctx.reporter, e, '`|a - b|^2`', () => squaredDistance(a, b));
        if (expanded !== undefined) return expanded;
        return located(this.ctx.reporter, e, '`|a - b|^2`', () => {
          const v = zipWith([a, b], ([x, y]) => sub(x!, y!));
          return val(v.shape.length === 0 ? square(v.t) : sumsq(v.t, positionalAxes(v)), v.index);
        });
      }
      const v = this.lower(e.left.operand, scope);
      return val(v.shape.length === 0 ? square(v.t) : sumsq(v.t, positionalAxes(v)), v.index);
    }
    if (e.op !== '^') return this.leftChain(e, scope);
    const a = this.lower(e.left, scope);
    if (e.right.kind === 'Num' && e.right.value === 2) return val(square(a.t), a.index);
    return this.apply(e, a, this.lower(e.right, scope));
  }

  /**
   * `a + b - c * d ...`: the left operands of left-associative operators are walked in a loop,
   * not by recursion, so a sum of 25,000 terms (a 50,000-character line) lowers without
   * exhausting the stack.
   */
  private leftChain(e: Binary, scope: Scope): Val {
    const spine: Binary[] = [];
    let first: Expr = e;
    while (first.kind === 'Binary' && first.op !== '^') {
      spine.push(first);
      first = first.left;
    }
    let acc = this.lower(first, scope);
    for (let k = spine.length - 1; k >= 0; k--) acc = this.apply(spine[k]!, acc, this.lower(spine[k]!.right, scope));
    return acc;
  }

  private apply(e: Binary, a: Val, b: Val): Val {
    const opText = `\`${e.op}\``;
    return located(this.ctx.reporter, e, opText, () => {
      switch (e.op) {
        case '+':
          return zipWith([a, b], ([x, y]) => add(x!, y!));
        case '-':
          return zipWith([a, b], ([x, y]) => sub(x!, y!));
        case '*':
          return zipWith([a, b], ([x, y]) => mul(x!, y!));
        case '/':
          return zipWith([a, b], ([x, y]) => div(x!, y!));
        case '^':
          return zipWith([a, b], ([x, y]) => pow(x!, y!));
        case '@':
          return matrixProduct(a, b);
      }
    });
  }

  private compare(e: Compare, scope: Scope): Val {
    const a = this.lower(e.left, scope);
    const b = this.lower(e.right, scope);
    const op = { '<': lt, '<=': le, '>': gt, '>=': ge, '==': eq, '!=': ne }[e.op];
    return located(this.ctx.reporter, e, `\`${e.op}\``, () => zipWith([a, b], ([x, y]) => op(x!, y!)));
  }

  /**
   * w[i], Y[k, j], w[0], mustar[k], X[a:b], X[:, j]: each entry consumes the next positional axis;
   * a slice keeps its axis (shortened), so the entries after it address the axes after it.
   */
  private index(e: Index, scope: Scope): Val {
    let v = this.lower(e.target, scope);
    let kept = 0; // positional axes kept by slices so far, in front of the next one addressed
    for (const ix of e.indices) {
      if (v.shape.length <= kept) this.fail(v.shape.length === 0 ? 'too many indices: the value is a scalar here' : `too many indices: the value has ${v.shape.length} ${v.shape.length === 1 ? 'axis' : 'axes'}`, ix);
      const axis = v.index.length + kept;
      if (ix.kind === 'Slice') {
        v = this.sliceAxis(v, axis, ix, scope);
        kept++;
        continue;
      }
      if (ix.kind === 'Name' && this.isIndexVariable(ix, scope)) {
        if (v.index.includes(ix.name)) this.fail(`index \`${ix.name}\` is used twice on one value`, ix);
        // the named axis moves in front of the positional ones (past the axes slices kept)
        const t = kept === 0 ? v.t : permute(v.t, moveAxis(v.t.rank, axis, v.index.length));
        v = val(t, [...v.index, ix.name]);
        continue;
      }
      const at = this.lower(ix, scope);
      const k = constantNumber(at);
      if (k !== undefined) {
        const size = v.t.shape[axis]!;
        if (!Number.isInteger(k) || k < -size || k >= size) {
          this.fail(`index ${k} is out of range for an axis of size ${size}`, ix);
        }
        const begin = v.t.shape.map((_, i) => (i === axis ? (k < 0 ? k + size : k) : 0));
        const end = v.t.shape.map((d, i) => (i === axis ? begin[i]! + 1 : d));
        v = val(squeeze(slice(v.t, begin, end), [axis]), v.index);
        continue;
      }
      // a random integer (a categorical sample): gather per draw
      if (at.shape.length !== 0 || v.index.length !== 0 || kept !== 0) {
        this.fail(`an index must be an index variable, an integer, or a categorical sample`, ix);
      }
      v = located(this.ctx.reporter, ix, 'indexing', () => val(gather(v.t, at.t), at.index));
    }
    return v;
  }

  /** Whether `n` names an index variable bound around it. */
  private isIndexVariable(n: Name, scope: Scope): boolean {
    const d = this.declaration(n);
    return d.kind !== 'constant' && d.kind !== 'step' && scope.get(d)?.kind === 'index';
  }

  /** `X[a:b]` on `axis`: bounds are constant integers within the axis, checked here, before the run. */
  private sliceAxis(v: Val, axis: number, ix: Slice, scope: Scope): Val {
    const size = v.t.shape[axis]!;
    const bound = (b: Expr | null, otherwise: number): number => {
      if (b === null) return otherwise;
      const n = constantNumber(this.lower(b, scope));
      if (n === undefined || !Number.isInteger(n)) return this.fail('a slice bound must be a constant integer (numbers and dims)', b);
      return n;
    };
    const lo = bound(ix.lo, 0);
    const hi = bound(ix.hi, size);
    if (lo < 0 || hi > size || lo >= hi) {
      const text = `${ix.lo === null ? '' : lo}:${ix.hi === null ? '' : hi}`;
      this.fail(`slice [${text}] is out of range for an axis of size ${size}${lo >= hi && lo >= 0 && hi <= size ? ': it is empty' : ''}`, ix,
        `the bounds must satisfy 0 <= a < b <= ${size}`);
    }
    if (lo === 0 && hi === size) return v;
    const begin = v.t.shape.map((_, i) => (i === axis ? lo : 0));
    const end = v.t.shape.map((d, i) => (i === axis ? hi : d));
    return val(slice(v.t, begin, end), v.index);
  }

  private reduce(e: Reduce, scope: Scope): Val {
    const names = e.indices.map((i) => i.name);
    const inner = this.bindIndices(e.indices, e.body, scope);
    if (e.op === 'sum' && e.body.kind === 'Binary' && e.body.op === '*') {
      // sum_i a * b over an index both factors carry is a matrix product: no [.., n, ..] product
      const a = this.lower(e.body.left, inner);
      const b = this.lower(e.body.right, inner);
      if (names.every((n) => a.index.includes(n) || b.index.includes(n))) {
        const c = located(this.ctx.reporter, e, 'sum', () => contract(a, b, names, false));
        if (c !== undefined) return c;
      }
      const body = located(this.ctx.reporter, e.body, '`*`', () => zipWith([a, b], ([x, y]) => mul(x!, y!)));
      return this.reduceBody(e, names, body);
    }
    return this.reduceBody(e, names, this.lower(e.body, inner));
  }

  private reduceBody(e: Reduce, names: readonly string[], body: Val): Val {
    for (const i of e.indices) {
      if (!body.index.includes(i.name)) {
        this.fail(`${e.op}_${i.name}: the expression does not use index \`${i.name}\`, so its range is unknown`, i);
      }
    }
    const axes = axesOf(body, names);
    const rest = body.index.filter((n) => !names.includes(n));
    const op = { sum, mean, prod, max, min, logsumexp }[e.op];
    return val(op(body.t, axes), rest);
  }

  /**
   * grad(e, y): differentiate e with y replaced by a fresh variable; differentiable again.
   * Structurally equal nodes are built once inside it (withSharedNodes), so nested `grad`
   * shares the subexpressions its levels repeat instead of copying them at each level.
   */
  private grad(e: Grad, scope: Scope): Val {
    return withSharedNodes(() => this.gradShared(e, scope));
  }

  private gradShared(e: Grad, scope: Scope): Val {
    const y = this.reference(e.wrt, scope);
    const v = variable(y.t);
    const yv = val(v, y.index);
    const inner = scope.child();
    inner.set(this.bound(e.wrt), { kind: 'value', val: yv });
    const body = this.lower(e.body, inner);
    if (body.shape.length !== 0) {
      this.fail(`grad needs a scalar expression, got shape ${formatShape(body.shape)}`, e.body);
    }
    const extra = body.index.filter((n) => !y.index.includes(n));
    if (extra.length > 0) {
      this.fail(`grad: the expression varies over ${extra.join(', ')} but \`${e.wrt.name}\` does not`, e.body);
    }
    // one number in, one out: forward mode, whose tangents nested grads share (forwardDerivative);
    // reverse mode's cotangents depend on everything downstream, so its nested levels do not
    if (v.size === 1 && body.t.size === 1 && y.index.length === 0 && body.index.length === 0) {
      return val(reshape(forwardDerivative(body.t, v, ones(v.shape)), v.shape));
    }
    // each element of a batched y only affects its own element of e, so the gradient of the
    // total is the batch of gradients
    const [g] = backward(sum(body.t), [v]);
    return val(g!, y.index);
  }

  private call(e: Call, scope: Scope): Val {
    const name = e.callee.name;
    const f = this.ctx.bindings.get(e.callee);
    if (f?.kind === 'function') {
      const b = scope.get(f);
      if (b?.kind !== 'function') return unchecked(this.ctx.reporter, `the function \`${name}\` before its definition`, e.callee);
      return this.callFunction(b.stmt, e, scope);
    }
    if (name === 'load') return this.fail('load("file") can only be the whole value of a let', e);
    if (!isBuiltin(name)) return unchecked(this.ctx.reporter, `the function \`${name}\``, e.callee);
    const args = e.args.map((a) => this.lower(a, scope));
    if (name === 'randn' || name === 'rand') this.randomDraws++;
    if (name === 'dot' && args.length === 2) {
      const c = located(this.ctx.reporter, e, '`dot`', () => contract(args[0]!, args[1]!, [], true));
      if (c !== undefined) return c;
    }
    if (name === 'relu_kernel' && args.length === 2) {
      const c = located(this.ctx.reporter, e, '`relu_kernel`', () => reluKernelGram(args[0]!, args[1]!, this.units));
      if (c !== undefined) return c;
    }
    return located(this.ctx.reporter, e, `\`${name}\``, () => callBuiltin(name, args, this.ctx, e, this.fail.bind(this)));
  }

  private callFunction(f: FuncStmt, e: Call, scope: Scope): Val {
    const args = e.args.map((a) => this.lower(a, scope));
    const key = `${f.name.name}@${f.span.start}(${args.map((a) => `${a.t.id}[${a.index.join(',')}]`).join(';')})`;
    let done = this.calls.get(scope);
    const known = done?.get(key);
    if (known !== undefined) return known;
    const draws = this.randomDraws;
    const result = this.inline(f, e, scope, args);
    if (this.randomDraws === draws) {
      if (done === undefined) this.calls.set(scope, (done = new Map()));
      done.set(key, result);
    }
    return result;
  }

  /** The body of `f` lowered with its parameters bound to `args`. */
  private inline(f: FuncStmt, e: Call, scope: Scope, args: readonly Val[]): Val {
    const body = scope.child();
    f.params.forEach((p, k) => {
      const arg = args[k]!;
      const declared = p.shape?.dims.map((d) => (d.kind === 'Num' ? d.value : this.dimValue(d, scope))) ?? [];
      if (declared.length !== arg.shape.length || declared.some((d, i) => d !== arg.shape[i])) {
        this.fail(
          `argument ${k + 1} of \`${f.name.name}\` should have shape ${formatShape(declared)}, got ${describe(arg)}`,
          e.args[k]!,
        );
      }
      body.set(this.bound(p.name), { kind: 'value', val: arg });
    });
    for (const w of f.where) body.set(this.bound(w.decl.name), { kind: 'value', val: this.lower(w.value, body) });
    return this.lower(f.body, body);
  }

  /** The size a dim of a shape annotation stands for (NaN for a dim that failed to lower). */
  dimValue(d: Ident, scope: Scope): number {
    const b = scope.get(this.bound(d));
    return b?.kind === 'dim' ? b.value : NaN;
  }
}

/** The permutation of `rank` axes that moves axis `from` to position `to` (to <= from). */
function moveAxis(rank: number, from: number, to: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i).filter((i) => i !== from);
  perm.splice(to, 0, from);
  return perm;
}

/** Elements of a vector literal laid out alike and broadcast to their common shape. */
function layoutAll(items: readonly Val[], index: readonly string[], rank: number): Tensor[] {
  const laid = items.map((x) => layout(x, index, rank));
  const target = broadcastShapes('a vector literal', laid.map((t) => t.shape));
  return laid.map((t) => broadcastTo(t, target));
}

/** A @ B on positional axes; named axes are batch axes; a vector operand is a row/column. */
function matrixProduct(a: Val, b: Val): Val {
  const index = unionIndex([a, b]);
  let ta = layout(a, index, a.shape.length);
  let tb = layout(b, index, b.shape.length);
  const vecA = a.shape.length === 1;
  const vecB = b.shape.length === 1;
  if (vecA) ta = expandDims(ta, -2);
  if (vecB) tb = expandDims(tb, -1);
  let out = matmul(ta, tb);
  if (vecB) out = squeeze(out, [-1]);
  if (vecA) out = squeeze(out, [vecB ? -1 : -2]);
  return val(out, index);
}

/**
 * |a - b|^2 for vectors a, b carrying different index variables (x over draws, mu[i] over i),
 * expanded as |a|^2 + |b|^2 - 2 a.b with a.b a matrix product, so the [N, n, d] broadcast
 * difference is never formed (2 GB at N = 1e5, n = d = 50). Numerics: the expansion loses
 * accuracy by cancellation when |a - b|^2 is much smaller than |a|^2 + |b|^2: the absolute
 * error is about 4 eps (|a|^2 + |b|^2) instead of eps |a - b|^2. In a Gaussian exponent
 * exp(-|a - b|^2 / 2) that is a relative error of ~eps |a|^2, harmless unless |a| ~ 1e7.
 * Returns undefined (no rewrite) when the difference would not broadcast to a larger tensor.
 */
function squaredDistance(a: Val, b: Val): Val | undefined {
  if (a.shape.length !== 1 || b.shape.length !== 1 || a.shape[0] !== b.shape[0]) return undefined;
  if (a.index.every((n) => b.index.includes(n)) || b.index.every((n) => a.index.includes(n))) return undefined;
  const ab = contract(a, b, [], true);
  if (ab === undefined) return undefined;
  const sa = val(sumsq(a.t, positionalAxes(a)), a.index);
  const sb = val(sumsq(b.t, positionalAxes(b)), b.index);
  return zipWith([sa, sb, ab], ([x, y, z]) => sub(add(x!, y!), mul(z!, 2)));
}

/** The tensor of `v` with its named axes in `names` order followed by its positional axes. */
function arrange(v: Val, names: readonly string[]): Tensor {
  const order = names.map((n) => v.index.indexOf(n));
  if (order.every((k, i) => k === i)) return v.t;
  return permute(v.t, [...order, ...v.shape.map((_, j) => v.index.length + j)]);
}

const product = (xs: readonly number[]): number => xs.reduce((p, x) => p * x, 1);

/**
 * sum over `sumNames` of a * b, as one (batched) matrix product. With `dot`, a and b are vectors
 * of the same length and their positional axis is contracted too (dot(a, b)). Otherwise one of
 * them must be a scalar per index (softmax weights times mu[i]). Indices summed that only one
 * factor carries are summed out of it first. Returns undefined when no axis is contracted.
 */
function contract(a0: Val, b0: Val, sumNames: readonly string[], dot: boolean): Val | undefined {
  let a = a0;
  let b = b0;
  if (dot) {
    if (a.shape.length !== 1 || b.shape.length !== 1 || a.shape[0] !== b.shape[0]) return undefined;
  } else {
    if (a.shape.length > 0 && b.shape.length > 0) return undefined;
    if (a.shape.length > 0) [a, b] = [b, a]; // the scalar factor gives the rows
  }
  const sizes = checkIndexSizes([a, b]);
  // indices summed in one factor only: sum them out first
  const only = (v: Val, w: Val): Val => {
    const own = sumNames.filter((n) => v.index.includes(n) && !w.index.includes(n));
    if (own.length === 0) return v;
    return val(sum(v.t, axesOf(v, own)), v.index.filter((n) => !own.includes(n)));
  };
  [a, b] = [only(a, b), only(b, a)];
  const k = sumNames.filter((n) => a.index.includes(n) && b.index.includes(n));
  if (!dot && k.length === 0) return undefined;
  const batch = a.index.filter((n) => b.index.includes(n) && !k.includes(n));
  let ra = a.index.filter((n) => !b.index.includes(n));
  let rb = b.index.filter((n) => !a.index.includes(n));
  if (dot && ra.length === 0 && rb.length === 0) return undefined; // same indices: a plain mul + sum
  const size = (names: readonly string[]): number[] => names.map((n) => sizes.get(n)!);
  if (dot && product(size(rb)) > product(size(ra))) {
    // the larger side as rows: X[N, d] @ W^T gives [N, n] (draws first, as the reductions and E
    // expect), streams X once and packs the small W once, instead of W @ X^T = [n, N]
    [a, b] = [b, a];
    [ra, rb] = [rb, ra];
  }
  const bs = size(batch);
  const m = product(size(ra));
  const kk = product(size(k)) * (dot ? a.shape[0]! : 1);
  let out: Tensor;
  const ta = reshape(arrange(a, [...batch, ...ra, ...k]), [...bs, m, kk]);
  if (dot) {
    // b laid out as rows over its own indices, contracted axes last: a @ b^T
    const tb = reshape(arrange(b, [...batch, ...rb, ...k]), [...bs, product(size(rb)), kk]);
    out = matmulT(ta, tb, { transB: true });
  } else {
    const tb = reshape(arrange(b, [...batch, ...k, ...rb]), [...bs, kk, product(size(rb)) * product(b.shape)]);
    out = matmulT(ta, tb);
  }
  return val(reshape(out, [...bs, ...size(ra), ...size(rb), ...b.shape.slice(dot ? 1 : 0)]), [...batch, ...ra, ...rb]);
}

/**
 * relu_kernel(a, b) for vectors over different indices (w[i], w[j]) from the Gram matrix of the
 * unit vectors: |a||b| h(c) / 2pi with c = (a / |a|)·(b / |b|) clamped to [-1, 1] and h the
 * arcKernel primitive, whose derivative stays finite at c = ±1 (a ∥ b, the i = j diagonal). The
 * [n, n, d] pairwise tensors of the elementwise form are never built, and the rows are scaled by
 * their reciprocal norms before the product, not the [n, n] products divided by |a_i||b_j| after
 * it: neither the value nor the gradient divides an [n, n] or [n, d] array (the hand-written
 * gradient normalizes W before its product the same way).
 * A zero vector stays zero (times 1 / max(|a|, 1e-300)): its cosines are 0, the value 0 and the
 * gradient finite, as for the reluKernel primitive. The same vectors on both sides (w[i], w[j])
 * are normalized once, so the Gram matrix is one product of a matrix with itself (symmetric).
 */
function reluKernelGram(a: Val, b: Val, units: WeakMap<Tensor, Tensor>): Val | undefined {
  // vectors of one length only (else the elementwise reluKernel applies)
  if (a.shape.length !== 1 || b.shape.length !== 1 || a.shape[0] !== b.shape[0]) return undefined;
  const na = val(norm(a.t, positionalAxes(a)), a.index);
  const nb = b.t === a.t ? val(na.t, b.index) : val(norm(b.t, positionalAxes(b)), b.index);
  // v · (1 / max(|v|, 1e-300)), the reciprocal norm laid out along v's positional axis (made once
  // per tensor): one division per vector, and a product (no division) per element in the value
  // and in the gradient
  const unit = (v: Val, n: Val): Tensor => {
    let u = units.get(v.t);
    if (u === undefined) {
      u = mul(v.t, reshape(div(1, maximum(n.t, 1e-300)), [...n.t.shape, 1]));
      units.set(v.t, u);
    }
    return u;
  };
  const ab = contract(val(unit(a, na), a.index), val(unit(b, nb), b.index), [], true);
  if (ab === undefined) return undefined;
  return zipWith([ab, na, nb], ([d, x, y]) => {
    const nn = mul(x!, y!);
    const c = clamp(d!, -1, 1);
    return mul(nn, mul(arcKernel(c), 1 / (2 * Math.PI)));
  });
}
