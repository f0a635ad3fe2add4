// What an expression's value varies with: parameters, samples, the step counter (for lets that are
// intermediates, optimizer schedules and the constant value side of claims).
import type { Expr, Span } from '../ast.js';
import type { Tables } from './scope.js';

/** A source of variation: a parameter, a sample, or `step`. */
export type Dependency = 'param' | 'sample' | 'step';

/** The reserved name of the step counter. */
export const STEP = 'step';

/** The first reference that makes `e` vary with one of `kinds`, with what it is, or null. */
export interface VaryingRef {
  readonly name: string;
  readonly dependency: Dependency;
  readonly span: Span;
  /** The global the dependency comes through (a `let` or function), when not direct. */
  readonly via?: string;
}

/** Direct children of an expression (Grad's variable and Call's callee are names, not Exprs). */
export function children(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case 'Num': case 'Str': case 'Name': return [];
    case 'Vector': return e.elements;
    case 'Unary': case 'Norm': case 'Transpose': return [e.operand];
    case 'Binary': case 'Compare': return [e.left, e.right];
    case 'Index': return [e.target, ...e.indices];
    case 'Slice': return [e.lo, e.hi].filter((x): x is Expr => x !== null);
    case 'Call': return e.args;
    case 'Reduce': case 'Softmax': case 'Expectation': case 'Grad': case 'Stop': return [e.body];
  }
}

/**
 * The first name in `exprs` (in source order) whose value varies with one of `kinds`: a param,
 * a sample, `step`, or a let/function that depends on one of them. Names shadowed by locals in
 * `bound` are ignored; the walk is iterative, so long expressions cannot overflow the stack.
 */
export function firstVarying(exprs: readonly Expr[], tables: Tables, kinds: readonly Dependency[], bound: ReadonlySet<string> = new Set()): VaryingRef | null {
  const stack: Expr[] = [...exprs].reverse();
  while (stack.length > 0) {
    const e = stack.pop()!;
    const name = e.kind === 'Name' ? e.name : e.kind === 'Call' ? e.callee.name : null;
    if (name !== null && !bound.has(name)) {
      const g = tables.globals.get(name);
      if (g === undefined) {
        if (name === STEP && e.kind === 'Name' && kinds.includes('step')) return { name, dependency: 'step', span: e.span };
      } else if (g.kind === 'param' || g.kind === 'sample') {
        if (kinds.includes(g.kind)) return { name, dependency: g.kind, span: e.span };
      } else {
        const d = kinds.find((k) => g.dependencies.has(k));
        if (d !== undefined) return { name, dependency: d, span: e.span, via: name };
      }
    }
    const next = children(e);
    for (let k = next.length - 1; k >= 0; k--) stack.push(next[k]!);
  }
  return null;
}

/** Every dependency of `exprs` (see firstVarying). */
export function dependenciesOf(exprs: readonly Expr[], tables: Tables, bound: ReadonlySet<string> = new Set()): Set<Dependency> {
  const out = new Set<Dependency>();
  for (const k of ['param', 'sample', 'step'] as const) if (firstVarying(exprs, tables, [k], bound) !== null) out.add(k);
  return out;
}
