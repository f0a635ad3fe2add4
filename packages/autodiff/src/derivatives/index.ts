// The table of derivative rules, beside the table of primitives: built-in rules by family, and rules registered for new primitives.
import type { RulesOf, VjpRule } from '../derivative.js';
import type { Primitive } from '../primitive.js';
import { primitiveFamilies } from '../primitives/index.js';
import { binaryRules, compareRules, unaryRules } from './elementwise.js';
import { decompRules, linalgRules, specialRules } from './linalg.js';
import { reduceRules, softmaxRules } from './reduce.js';
import { shapeRules, structureRules } from './shape.js';

type Families = typeof primitiveFamilies;

/** Every family's rules, keyed as primitiveFamilies is: the compiler checks that no primitive lacks one. */
const ruleFamilies: { readonly [F in keyof Families]: RulesOf<Families[F]> } = {
  unary: unaryRules,
  binary: binaryRules,
  compare: compareRules,
  reduce: reduceRules,
  softmax: softmaxRules,
  shape: shapeRules,
  structure: structureRules,
  linalg: linalgRules,
  decomp: decompRules,
  special: specialRules,
};

/** The rules, by primitive name. */
const rules = new Map<string, VjpRule>();
for (const [family, prims] of Object.entries(primitiveFamilies)) {
  const familyRules = ruleFamilies[family as keyof Families] as Record<string, VjpRule>;
  for (const [key, p] of Object.entries(prims) as [string, Primitive][]) rules.set(p.name, familyRules[key]!);
}

/**
 * Registers the derivative rule of a primitive defined outside the table (as JAX's defjvp does),
 * written with differentiable ops so that it can be differentiated again.
 */
export function defineVjp<A>(p: Primitive<A>, rule: VjpRule<A>): void {
  if (rules.has(p.name)) throw new Error(`the primitive ${p.name} already has a derivative rule`);
  rules.set(p.name, rule as VjpRule);
}

/** The derivative rule of `p`; a primitive without one cannot be differentiated. */
export function vjpOf(p: Primitive): VjpRule {
  const rule = rules.get(p.name);
  if (rule === undefined) throw new Error(`the primitive ${p.name} has no derivative rule (register one with defineVjp)`);
  return rule;
}
