// The Tensor: a node of the computation graph that may also hold its value (a row-major Float64Array).
import { allocate } from './alloc.js';
import { attrsKey, leafKey } from './node-keys.js';
import { formatTensor, type PrintOptions } from './format.js';
import type { Kernel, Primitive } from './primitive.js';
import { formatShape, ShapeError, sizeOf, type Shape } from './shape.js';

/** Nested number arrays, as accepted by `tensor()` and returned by `toArray()`. */
export type NestedArray = number | readonly NestedArray[];

let nextId = 0;
/** Ids from this one on are over the node budget of the graph being built (see withNodeBudget). */
let idLimit = Infinity;
let budget = Infinity;

/** A graph being built grew past its node budget (see `withNodeBudget`). */
export class NodeBudgetError extends Error {
  override readonly name = 'NodeBudgetError';
  constructor(readonly limit: number) {
    super(`the graph grew past ${limit} nodes`);
  }
}

/**
 * Runs `body` allowing it to create at most `limit` tensors; one more throws NodeBudgetError at
 * once. A compiler's guard against graphs that grow faster than their source (grad of grad of
 * grad ...), checked as nodes are made rather than after the time is spent.
 */
export function withNodeBudget<T>(limit: number, body: () => T): T {
  const before = [idLimit, budget] as const;
  if (nextId + limit < idLimit) [idLimit, budget] = [nextId + limit, limit];
  try {
    return body();
  } finally {
    [idLimit, budget] = before;
  }
}

/**
 * A tensor. Eager tensors hold their value; symbolic tensors (inside `compile`) hold only their
 * shape and how they are computed. A tensor that depends on a differentiation variable is
 * "tracked" and remembers its inputs so that `grad` can walk back through it.
 */
export class Tensor {
  readonly id = nextId++;
  readonly size: number;

  constructor(
    readonly shape: Shape,
    /** The primitive that computed it; undefined for leaves (constants and placeholders). */
    readonly prim: Primitive | undefined,
    /** Its inputs, kept only while tracked. */
    readonly inputs: readonly Tensor[],
    readonly attrs: unknown,
    private readonly buffer: Float64Array | undefined,
    readonly tracked: boolean,
    /** A name given to placeholders, shown in errors and graph dumps. */
    readonly name?: string,
  ) {
    this.size = sizeOf(shape);
    if (this.id >= idLimit) throw new NodeBudgetError(budget);
  }

  get rank(): number {
    return this.shape.length;
  }

  /** True inside `compile`: the value exists only when the compiled plan runs. */
  get symbolic(): boolean {
    return this.buffer === undefined;
  }

  /** The values, row-major. Throws for a symbolic tensor. */
  get data(): Float64Array {
    if (this.buffer === undefined) {
      throw new Error(
        `tensor ${this.name ?? `#${this.id}`} of shape ${formatShape(this.shape)} is symbolic: its value exists only when the compiled plan runs`,
      );
    }
    return this.buffer;
  }

  /** The single value of a tensor with one element. */
  item(): number {
    if (this.size !== 1) throw new ShapeError('item', `needs a tensor with one element, got shape ${formatShape(this.shape)}`);
    return this.data[0]!;
  }

  /** The values as nested arrays shaped like the tensor (a number for a scalar). */
  toArray(): NestedArray {
    const data = this.data;
    const build = (axis: number, offset: number, stride: number): NestedArray => {
      if (axis === this.shape.length) return data[offset]!;
      const n = this.shape[axis]!;
      const inner = stride / n;
      return Array.from({ length: n }, (_, i) => build(axis + 1, offset + i * inner, inner));
    };
    return build(0, 0, this.size);
  }

  /** A copy of the values in a new tensor: keeps a compiled plan's output past its next run. */
  clone(): Tensor {
    return constant(Float64Array.from(this.data), this.shape);
  }

  /**
   * The values as text, numpy-style: aligned, and with long axes elided ("...") when the tensor
   * has more than 1000 elements, so printing a large tensor prints a few lines.
   * @example String(tensor([[1, 2.5], [3, 4]]))  // "tensor([[  1, 2.5],\n        [  3,   4]])"
   */
  toString(options?: PrintOptions): string {
    if (this.symbolic) return `tensor(symbolic, shape ${formatShape(this.shape)}${this.name ? `, ${this.name}` : ''})`;
    return formatTensor(this.data, this.shape, options);
  }

  /** What console.log and util.inspect show in Node (the same text as toString). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** Anything the ops accept where a tensor is expected. */
export type TensorLike = Tensor | number;

/** A constant tensor holding `data` with `shape` (no copy). */
export function constant(data: Float64Array, shape: Shape): Tensor {
  if (data.length !== sizeOf(shape)) {
    throw new ShapeError('tensor', `${data.length} values do not fill shape ${formatShape(shape)}`);
  }
  return new Tensor([...shape], undefined, [], undefined, data, false);
}

/** A tensor from a number, nested arrays, or a Float64Array with a shape. */
export function tensor(values: NestedArray | Float64Array | readonly number[], shape?: Shape): Tensor {
  if (values instanceof Float64Array) return constant(values, shape ?? [values.length]);
  const inferred: number[] = [];
  let probe: NestedArray = values as NestedArray;
  while (Array.isArray(probe)) {
    inferred.push(probe.length);
    probe = (probe as readonly NestedArray[])[0] as NestedArray;
  }
  const flat = allocate(sizeOf(inferred));
  let k = 0;
  const fill = (v: NestedArray, axis: number): void => {
    if (axis === inferred.length) {
      if (typeof v !== 'number') throw new ShapeError('tensor', 'ragged nested array');
      flat[k++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== inferred[axis]) throw new ShapeError('tensor', 'ragged nested array');
    for (const item of v as readonly NestedArray[]) fill(item, axis + 1);
  };
  fill(values as NestedArray, 0);
  const t = constant(flat, inferred);
  if (shape !== undefined) {
    if (sizeOf(shape) !== t.size) throw new ShapeError('tensor', `${t.size} values do not fill shape ${formatShape(shape)}`);
    return constant(flat, shape);
  }
  return t;
}

export function scalar(x: number): Tensor {
  const data = allocate(1);
  data[0] = x;
  return constant(data, []);
}

export function full(shape: Shape, x: number): Tensor {
  const data = allocate(sizeOf(shape));
  if (x !== 0) data.fill(x);
  return constant(data, shape);
}

export function zeros(shape: Shape): Tensor {
  return full(shape, 0);
}

export function ones(shape: Shape): Tensor {
  return full(shape, 1);
}

export function toTensor(x: TensorLike): Tensor {
  return typeof x === 'number' ? scalar(x) : x;
}

/** A symbolic input of a graph being traced (see `compile`). */
export function placeholder(shape: Shape, name?: string): Tensor {
  return new Tensor([...shape], undefined, [], undefined, undefined, true, name);
}

/** A fresh differentiation variable holding `x`'s value, or standing for the traced `x`. */
export function variableOf(x: Tensor, identity: Primitive<undefined>): Tensor {
  if (x.tracked) return apply(identity, [x], undefined);
  // a constant deferred to the plan (withDeferredConstants) has no value yet: the variable is a
  // tracked identity of it, computed by the plan, where the gradient stops
  if (x.symbolic && x.prim !== undefined) return new Tensor(x.shape, identity as Primitive, [x], undefined, undefined, true, x.name);
  return new Tensor(x.shape, undefined, [], undefined, x.data, true, x.name);
}

/** The same value with no graph behind it: what a top-level `grad` returns. */
export function detach(x: Tensor): Tensor {
  return x.tracked && !x.symbolic ? new Tensor(x.shape, undefined, [], undefined, x.data, false, x.name) : x;
}

/** Constant results with more elements than this (8 MiB) are left to the plan by a deferring trace. */
export const DEFERRED_CONSTANT_ELEMENTS = 1 << 20;

/**
 * What apply() does with the graph being built. Outside any trace (EAGER) every result whose
 * inputs all have values is computed at once, and a node is recorded only when the result must be
 * differentiable or has a symbolic input. Code that builds a graph installs a trace (withTrace, or
 * the helpers below) that changes three things, and never a value:
 * - `deferConstantsOver`: constant results with more elements than this are recorded as nodes
 *   the plan computes, so nothing big is allocated before the plan's memory is checked (the seed
 *   of a gradient broadcast to [n, n], say). Deferred or not, the value is the same; only when
 *   and where it is computed differ.
 * - `shared`: structurally equal nodes are built once (see withSharedNodes).
 * - `simplify`: while sharing, x·1, 1·x and −(−x) are built as x, and a+b, b+a as one node (see
 *   withSimplification).
 */
export interface Trace {
  readonly deferConstantsOver: number | undefined;
  readonly shared: Map<string, Tensor> | undefined;
  readonly simplify: boolean;
}

/** Eager evaluation: no deferral, no sharing, no simplification. */
export const EAGER: Trace = { deferConstantsOver: undefined, shared: undefined, simplify: false };
let trace: Trace = EAGER;

/** The trace apply() follows now (EAGER outside any). */
export function currentTrace(): Trace {
  return trace;
}

/** Runs `body` with `next` installed as the trace, restoring the one before afterwards. */
export function withTrace<T>(next: Trace, body: () => T): T {
  const before = trace;
  trace = next;
  try {
    return body();
  } finally {
    trace = before;
  }
}

/**
 * Runs `body` (a graph being built for a plan) with large constant results deferred to the plan
 * (`defer`), or computed now (`!defer`, for values the builder must read, such as a literal it
 * checks); sharing and simplification are kept as they were.
 */
export function withDeferredConstants<T>(defer: boolean, body: () => T): T {
  return withTrace({ ...trace, deferConstantsOver: defer ? DEFERRED_CONSTANT_ELEMENTS : undefined }, body);
}

/** Whether the current trace leaves a constant result of `size` elements to the plan. */
function defersConstant(prim: Primitive, size: number): boolean {
  return !prim.alias && trace.deferConstantsOver !== undefined && size > trace.deferConstantsOver;
}

/**
 * Applies a primitive: checks shapes, computes the value now when every input has one (unless the
 * current trace defers it), and records the inputs when the result must be
 * differentiable or is computed later.
 */
export function apply<A>(prim: Primitive<A>, inputs: readonly Tensor[], attrs: A): Tensor {
  const shape = outputShape(prim, inputs, attrs);
  const shapes = inputs.map((t) => t.shape);
  const sharing = trace.shared;
  if (sharing !== undefined && trace.simplify) {
    const same = simplified(prim as Primitive, inputs, shape);
    if (same !== undefined) return same;
  }
  const tracked = inputs.some((t) => t.tracked);
  let value: Float64Array | undefined;
  const size = sizeOf(shape);
  if (inputs.every((t) => !t.symbolic) && !defersConstant(prim as Primitive, size)) {
    const values = inputs.map((t) => t.data);
    if (prim.alias) value = values[0];
    else {
      value = allocate(size);
      eagerKernel(prim as Primitive, shapes, shape, attrs)(values, value);
    }
  }
  const node = tracked || value === undefined;
  const key = node && sharing !== undefined ? shareKey(prim as Primitive, inputs, attrs) : undefined;
  const known = key === undefined ? undefined : sharing!.get(key);
  if (known !== undefined) return known;
  const t = new Tensor(shape, prim as Primitive, node ? inputs : [], attrs, value, tracked);
  if (key !== undefined) sharing!.set(key, t);
  return t;
}

/** The shape of `prim` applied to `inputs`: its arity and shape rule checked (a ShapeError naming it otherwise). */
export function outputShape<A>(prim: Primitive<A>, inputs: readonly Tensor[], attrs: A): Shape {
  if (prim.arity >= 0 && inputs.length !== prim.arity) {
    throw new ShapeError(prim.name, `takes ${prim.arity} inputs, got ${inputs.length}`);
  }
  return prim.shape(inputs.map((t) => t.shape), attrs);
}

/**
 * Kernels of elementwise primitives evaluated now (constant folding), by primitive, attributes and
 * shapes. A graph builder folds thousands of small constants (the gradient of a 12,000-term sum
 * adds 12,000 ones), and generating a loop for each cost more than the folding itself. Plans do
 * not use these: each plan kernel stays a function of its own. Elementwise kernels are pure loops,
 * so one serves every evaluation of its key.
 */
const eagerKernels = new Map<string, Kernel>();

function eagerKernel(prim: Primitive, shapes: readonly Shape[], shape: Shape, attrs: unknown): Kernel {
  const a = prim.scalarExpr === undefined ? undefined : attrsKey(attrs);
  if (a === undefined) return prim.prepare(shapes, shape, attrs);
  const key = `${prim.name}|${a}|${shapes.map((s) => s.join(',')).join(';')}`;
  let kernel = eagerKernels.get(key);
  if (kernel === undefined) {
    if (eagerKernels.size >= 1024) eagerKernels.clear();
    kernel = prim.prepare(shapes, shape, attrs);
    eagerKernels.set(key, kernel);
  }
  return kernel;
}

/**
 * Runs `body` (a graph being built) with structurally equal nodes built once: applying a
 * primitive to the same inputs (one-element constants compared by value) with the same
 * attributes returns the node made before. Primitives are pure, so values do not change; what
 * changes is size: a derivative of a derivative reuses the subexpressions both share, instead of
 * copying them at every level. Differentiation variables (identity) are always new nodes.
 */
export function withSharedNodes<T>(body: () => T): T {
  return withTrace({ ...trace, shared: trace.shared ?? new Map() }, body);
}

function shareKey(prim: Primitive, inputs: readonly Tensor[], attrs: unknown): string | undefined {
  if (prim.name === 'identity') return undefined;
  const a = attrsKey(attrs);
  if (a === undefined) return undefined;
  // a tracked leaf is a differentiation variable: never equal to another, whatever its value
  const keys = inputs.map((t) => (t.tracked ? undefined : leafKey(t)) ?? String(t.id));
  // a + b and b + a, a * b and b * a are the same IEEE operation
  if (trace.simplify && COMMUTATIVE.has(prim.name)) keys.sort();
  return `${prim.name}|${a}|${keys.join('|')}`;
}

const COMMUTATIVE = new Set(['add', 'mul']);

/**
 * Runs `body` with, while sharing, x·1, 1·x and −(−x) built as x and a+b, b+a (a·b, b·a) as one
 * node: forward mode's tangents (forward.ts), where the levels of a nested derivative are full of
 * the seed 1 multiplied in. Only there: elsewhere the graph stays as written (the fusion pass's
 * choices depend on its exact shape).
 */
export function withSimplification<T>(body: () => T): T {
  return withTrace({ ...trace, simplify: true }, body);
}

/** A constant whose every element is 1. */
function isOnes(t: Tensor): boolean {
  if (t.tracked || t.symbolic) return false;
  const d = t.data;
  for (let i = 0; i < d.length; i++) if (d[i] !== 1) return false;
  return true;
}

/**
 * An input the node would equal exactly, in IEEE arithmetic, when sharing: x · 1 and 1 · x (where x
 * already has the result's shape) and −(−x). Derivatives of derivatives are full of them (the
 * seed 1 multiplied in), and the nodes they would add hide what the levels have in common.
 */
function simplified(prim: Primitive, inputs: readonly Tensor[], shape: Shape): Tensor | undefined {
  if (prim.name === 'mul' && inputs.length === 2) {
    const [a, b] = inputs as [Tensor, Tensor];
    if (isOnes(b) && sameDims(a.shape, shape)) return a;
    if (isOnes(a) && sameDims(b.shape, shape)) return b;
  }
  if (prim.name === 'neg' && inputs[0]?.prim?.name === 'neg') return inputs[0].inputs[0];
  return undefined;
}

const sameDims = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((d, i) => d === b[i]);
