// The contract of a derivative rule, and how a family of rules is paired with its family of primitives.
import type { Primitive } from './primitive.js';
import type { Tensor } from './tensor.js';

/**
 * Vector-Jacobian product, written with differentiable ops so it can be differentiated again.
 * `g` has the output's shape. Each result has the input's shape or the output's shape when the
 * input was broadcast (the engine sums broadcast axes away); null means zero.
 */
export type VjpRule<A = unknown> = (g: Tensor, out: Tensor, inputs: readonly Tensor[], attrs: A) => readonly (Tensor | null)[];

/** The attribute type of a primitive. */
export type AttrsOf<P> = P extends Primitive<infer A> ? A : never;

/** One rule for every primitive of a family, keyed as the family is (checked by the compiler). */
export type RulesOf<F> = { readonly [K in keyof F]: VjpRule<AttrsOf<F[K]>> };

/** A rule for a one-input primitive, from `(g, out, x)`. */
export function unaryRule<A = undefined>(rule: (g: Tensor, out: Tensor, x: Tensor, attrs: A) => Tensor | null): VjpRule<A> {
  return (g, out, [x], attrs) => [rule(g, out, x!, attrs)];
}
