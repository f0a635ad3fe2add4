// The contract every primitive fulfils: shape rule, kernel and its own test spec (its derivative rule sits in derivatives/).
import type { Shape } from './shape.js';

/** A compiled kernel: reads the input buffers, writes every element of `out`. */
export type Kernel = (inputs: readonly Float64Array[], out: Float64Array) => void;

/** Where a finite-difference check samples one input from. */
export interface Domain {
  readonly lo: number;
  readonly hi: number;
  /** Values sampled within `margin` of these points are pushed away (kinks such as 0 for abs). */
  readonly avoid?: readonly number[];
  readonly margin?: number;
  /** Integers in [lo, hi): indices, categorical codes. Such inputs are never differentiated. */
  readonly integer?: boolean;
}

/** One shape case of a check: input shapes and the attributes to apply. */
export interface CheckCase<A> {
  readonly shapes: readonly Shape[];
  readonly attrs: A;
}

/** How the test suite checks a primitive's derivative against central differences. */
export interface CheckSpec<A> {
  /**
   * 'unary': one input over random scalar/vector/matrix shapes; 'binary': two inputs over random
   * broadcast-compatible pairs; otherwise the listed cases.
   */
  readonly cases: 'unary' | 'binary' | readonly CheckCase<A>[];
  /** Attributes for 'unary' and 'binary' cases. */
  readonly attrs?: A;
  /** One domain for all inputs, or one per input. */
  readonly domain: Domain | readonly Domain[];
  /** Sample the entries of each input well apart from each other (ties break max, min, sort). */
  readonly distinct?: boolean;
  /** Highest derivative order to check (default 2). */
  readonly order?: 1 | 2;
  /**
   * Adjusts input `index` in place after sampling, for domains a box cannot express (det and inv
   * add a multiple of the identity so the sampled matrices are well conditioned).
   */
  readonly prepareInput?: (x: Float64Array, shape: Shape, index: number) => void;
}

/**
 * A primitive operation. Its derivative rule is registered beside it, in derivatives/ (the rules
 * are written with ops, which are built from primitives: keeping them apart keeps the imports one way). Methods use shorthand syntax on purpose: a Primitive<{axes: number[]}>
 * is then usable where a Primitive<unknown> is expected.
 */
export interface Primitive<A = unknown> {
  readonly name: string;
  /** Number of tensor inputs; -1 for any number (concat, stack). */
  readonly arity: number;
  /** Indices of inputs that carry no gradient (integer indices, conditions). */
  readonly nondiff?: readonly number[];
  /** The output shape, or a ShapeError naming the op. */
  shape(inputs: readonly Shape[], attrs: A): Shape;
  /** Builds the kernel once for fixed shapes; the plan then calls it every run. */
  prepare(inputs: readonly Shape[], out: Shape, attrs: A): Kernel;
  /** The output shares the first input's buffer (reshape, identity). */
  readonly alias?: boolean;
  /** Elementwise ops: the JS expression for one element, so loops can be generated and fused. */
  readonly scalarExpr?: (args: readonly string[], attrs: A) => string;
  readonly check: CheckSpec<A>;
}

/** Declares a primitive with its attribute type inferred and checked. */
export function definePrimitive<A>(p: Primitive<A>): Primitive<A> {
  return p;
}
