// The expression walker: resolves every name in scope, checks calls, indices and bound index
// variables, and computes whether each expression is random (reporting random values outside E[...]).
import type { Binding, Call, Expr, Grad, Ident, Index, Name, Reduce, Shape, Slice, Softmax, Span } from '../ast.js';
import { arityOf, builtinNames, describeArity, isBuiltin } from '../lower/builtins.js';
import { didYouMean, type Reporter } from '../diagnostics.js';
import { BUILTIN_CONSTANTS, STEP_COUNTER } from './bound.js';
import { STEP } from './dependencies.js';
import { CONSTANTS, findLocal, kindWord, RESERVED_STEP, visibleNames, type GlobalInfo, type Local, type Locals, type Tables } from './scope.js';

/** Where an expression sits: the statement, the names in scope, and the randomness rule. */
export interface Ctx {
  readonly tables: Tables;
  readonly reporter: Reporter;
  readonly source: string;
  /** Index of the statement being checked: globals defined at or after it are not visible. */
  readonly order: number;
  readonly locals: Locals;
  /** Inside `E[...]`: random values are averaged away. */
  readonly inE: boolean;
  /** Random references outside `E[...]` are errors (loss, metric and update bodies, param inits). */
  readonly deterministic: boolean;
  /** Advice attached to "random value outside E[...]" here. */
  readonly randomHint: string;
  /** Random names already reported in this statement (one error per name). */
  readonly reported: Set<string>;
  /** The function whose body this is (calling it again is recursion). */
  readonly self: string | null;
}

export const DEFAULT_RANDOM_HINT = 'the loss, metrics and updates must be numbers: take the expectation, E[...]';

/** Reports a random reference at `at` when the context requires a deterministic value. */
function noteRandom(name: string, at: Span, ctx: Ctx): void {
  if (!ctx.deterministic || ctx.inE || ctx.reported.has(name)) return;
  ctx.reported.add(name);
  ctx.reporter.error(`random value \`${name}\` outside E[...]`, at, ctx.randomHint);
}

/**
 * Checks that global `g`, referenced at `at`, is defined before the current statement.
 * Returns false (after reporting) when it is not.
 */
function definedBefore(g: GlobalInfo, at: Span, ctx: Ctx): boolean {
  if (g.order < ctx.order) return true;
  if (g.order === ctx.order) {
    if (ctx.self === g.name) ctx.reporter.error(`\`${g.name}\` calls itself: functions cannot be recursive`, at);
    else ctx.reporter.error(`\`${g.name}\` is used in its own definition`, at);
  } else {
    ctx.reporter.error(`\`${g.name}\` is used before it is defined (line ${g.line})`, at,
      `move the ${kindWord(g.kind)} \`${g.name}\` above this line`);
  }
  return false;
}

/** Like definedBefore, for references that are not evaluated (claims): reports only later definitions. */
export function definedBeforeQuiet(g: GlobalInfo, at: Span, ctx: Ctx): boolean {
  if (g.order < ctx.order) return true;
  ctx.reporter.error(`\`${g.name}\` is used before it is defined (line ${g.line})`, at, `move the ${kindWord(g.kind)} \`${g.name}\` above this line`);
  return false;
}

/** The "did you mean" hint for an unknown value name. */
const suggest = (name: string, ctx: Ctx): string | undefined => didYouMean(name, visibleNames(ctx.tables, ctx.order, ctx.locals));

/** Resolves a name used as a value, binding it to its declaration; returns whether it is random. */
function resolveName(n: Name, ctx: Ctx): boolean {
  const bindings = ctx.tables.bindings;
  const local = findLocal(ctx.locals, n.name);
  if (local !== undefined) {
    bindings.bind(n, local);
    local.used = true;
    if (local.random) noteRandom(n.name, n.span, ctx);
    return local.random;
  }
  const g = ctx.tables.globals.get(n.name);
  if (g !== undefined) {
    if (!definedBefore(g, n.span, ctx)) return false;
    if (g.kind === 'function') {
      ctx.reporter.error(`\`${n.name}\` is a function; call it as \`${n.name}(...)\``, n);
      return false;
    }
    bindings.bind(n, g);
    if (g.random) noteRandom(n.name, n.span, ctx);
    return g.random;
  }
  const constant = BUILTIN_CONSTANTS.get(n.name);
  if (constant !== undefined || n.name === STEP) {
    bindings.bind(n, constant ?? STEP_COUNTER);
    return false;
  }
  if (ctx.tables.metrics.has(n.name)) {
    ctx.reporter.error(`\`${n.name}\` is a metric: metrics are logged, not usable in expressions`, n,
      'compute the value with a `let` or a `where` name instead');
  } else if (isBuiltin(n.name)) {
    ctx.reporter.error(`\`${n.name}\` is a built-in function; call it as \`${n.name}(...)\``, n);
  } else {
    ctx.reporter.error(`unknown name \`${n.name}\``, n, suggest(n.name, ctx));
  }
  return false;
}

const freeIndexMessage = (i: string): string =>
  `index \`${i}\` is free here: bind it with sum_${i}, or declare \`metric name[${i}]\``;

/** The first part of a slice bound that is not numbers, dims and arithmetic (or null). */
function nonIntegerConstant(e: Expr, ctx: Ctx): Expr | null {
  const stack: Expr[] = [e];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (x.kind === 'Num') continue;
    if (x.kind === 'Unary') stack.push(x.operand);
    else if (x.kind === 'Binary' && x.op !== '@') stack.push(x.left, x.right);
    else if (x.kind === 'Name') {
      if (findLocal(ctx.locals, x.name) !== undefined) return x;
      const g = ctx.tables.globals.get(x.name);
      if (g !== undefined && g.kind !== 'dim' && !(g.kind === 'let' && g.literal !== undefined)) return x;
    } else return x;
  }
  return null;
}

/** `a:b`, `:k`, `k:`, `:` inside brackets: the bounds are integer constants (numbers, dims). */
function walkSlice(e: Slice, ctx: Ctx): boolean {
  for (const bound of [e.lo, e.hi]) {
    if (bound === null) continue;
    walk(bound, ctx);
    const bad = nonIntegerConstant(bound, ctx);
    if (bad !== null) {
      ctx.reporter.error('the bounds of a slice are integer constants: numbers and dims', bad,
        'write `X[0:k]` with a dim `k`; positions that vary are picked with `onehot` or `where`');
    } else if (bound.kind === 'Num') {
      ctx.reporter.must(Number.isInteger(bound.value) && bound.value >= 0, `a slice bound must be a non-negative integer, not ${bound.text}`, bound);
    }
  }
  return false;
}

/** One index of `w[...]`: an index variable, an integer literal, an integer-valued name or a slice. */
function walkIndexArg(e: Expr, ctx: Ctx): boolean {
  if (e.kind === 'Slice') return walkSlice(e, ctx);
  if (e.kind === 'Num') {
    ctx.reporter.must(Number.isInteger(e.value) && e.value >= 0, `an index must be a non-negative integer, not ${e.text}`, e);
    return false;
  }
  if (e.kind !== 'Name') {
    const random = walk(e, ctx);
    ctx.reporter.error('an index must be an index variable, an integer or a categorical sample', e,
      'compute other positions with `where`, `onehot` or `dot`');
    return random;
  }
  const local = findLocal(ctx.locals, e.name);
  const g = ctx.tables.globals.get(e.name);
  if (local === undefined && g === undefined && !(CONSTANTS as readonly string[]).includes(e.name)) {
    ctx.reporter.error(freeIndexMessage(e.name), e, suggest(e.name, ctx));
    return false;
  }
  if (local === undefined && g !== undefined && g.order < ctx.order) {
    const integral = g.kind === 'dim' || g.categorical || (g.kind === 'let' && g.literal !== undefined && Number.isInteger(g.literal));
    if (!integral) {
      ctx.reporter.error(`\`${e.name}\` cannot be an index: it is a ${g.kind === 'sample' ? 'continuous sample' : kindWord(g.kind)}`, e,
        'index with an index variable (`sum_i w[i]`), an integer, or a categorical sample');
      return false;
    }
  }
  return resolveName(e, ctx);
}

function walkIndex(e: Index, ctx: Ctx): boolean {
  // `w[0][1]...` nests Index nodes: walk the target chain iteratively, then the indices in source order
  const lists: Expr[][] = [];
  let cur: Expr = e;
  while (cur.kind === 'Index' || cur.kind === 'Transpose') {
    if (cur.kind === 'Index') {
      lists.push(cur.indices);
      cur = cur.target;
    } else {
      cur = cur.operand;
    }
  }
  let random = walk(cur, ctx);
  for (const list of lists.reverse()) for (const ix of list) random = walkIndexArg(ix, ctx) || random;
  return random;
}

/** The argument-count error for a call, or nothing. */
function checkArity(callee: Ident, got: number, arity: readonly [number, number]): string | null {
  const [min, max] = arity;
  if (got >= min && got <= max) return null;
  return `${describeArity(callee.name, arity)}, got ${got}`;
}

function walkArgs(args: readonly Expr[], ctx: Ctx): boolean {
  let random = false;
  for (const a of args) random = walk(a, ctx) || random;
  return random;
}

function walkCall(c: Call, ctx: Ctx): boolean {
  const name = c.callee.name;
  const g = ctx.tables.globals.get(name);
  if (g !== undefined && g.kind === 'function') {
    const ok = definedBefore(g, c.callee.span, ctx);
    if (ok) {
      ctx.tables.bindings.bind(c.callee, g);
      const problem = checkArity(c.callee, c.args.length, [g.arity, g.arity]);
      if (problem !== null) ctx.reporter.error(problem, c.callee, `\`${name}\` is defined on line ${g.line}`);
    }
    const random = walkArgs(c.args, ctx);
    if (ok && g.random) noteRandom(name, c.callee.span, ctx);
    return random || (ok && g.random);
  }
  const arity = arityOf(name);
  if (arity !== undefined) {
    const problem = checkArity(c.callee, c.args.length, arity);
    if (problem !== null) ctx.reporter.error(problem, c.callee);
    if (name === 'load') {
      const [file] = c.args;
      if (file !== undefined && file.kind !== 'Str') {
        ctx.reporter.error('`load` takes a file name in quotes', file, 'write `load("data.csv")`');
      }
      return false;
    }
    return walkArgs(c.args, ctx);
  }
  const local = findLocal(ctx.locals, name);
  if (local !== undefined || g !== undefined) {
    const what = local !== undefined ? `a ${local.kind === 'arg' ? 'function argument' : local.kind === 'where' ? '`where` name' : 'index variable'}`
      : `a ${kindWord((g as GlobalInfo).kind)}`;
    ctx.reporter.error(`\`${name}\` is not a function: it is ${what}`, c.callee,
      'multiply with `*`, or index with `[...]`');
  } else {
    const functions = [...builtinNames(), 'grad', 'stop'];
    for (const f of ctx.tables.globals.values()) if (f.kind === 'function' && f.order < ctx.order) functions.push(f.name);
    ctx.reporter.error(`unknown function \`${name}\``, c.callee, didYouMean(name, functions));
  }
  return walkArgs(c.args, ctx);
}

function walkGrad(e: Grad, ctx: Ctx): boolean {
  const random = walk(e.body, ctx);
  const y = e.wrt;
  const allowed = 'a function argument, a `where` name, a `let` or a `sample`';
  const local = findLocal(ctx.locals, y.name);
  if (local !== undefined) {
    ctx.tables.bindings.bind(y, local);
    if (local.kind === 'index') ctx.reporter.error(`\`grad\` cannot differentiate with respect to the index variable \`${y.name}\``, y, `use ${allowed}`);
    return random;
  }
  const g = ctx.tables.globals.get(y.name);
  if (g === undefined) {
    if (y.name === STEP) ctx.reporter.error('`step` carries no gradient: it is the step counter', y);
    else ctx.reporter.error(`unknown name \`${y.name}\``, y, suggest(y.name, ctx));
  } else if (definedBefore(g, y.span, ctx) && g.kind !== 'let' && g.kind !== 'sample') {
    ctx.reporter.error(`\`grad\` differentiates with respect to ${allowed}; \`${y.name}\` is a ${kindWord(g.kind)}`, y,
      g.kind === 'param' ? `bind it with \`where\` and differentiate that: \`grad(e, v) where v = ${y.name}\`, with e written in \`v\`` : undefined);
  } else {
    ctx.tables.bindings.bind(y, g);
  }
  return random;
}

/** How a reduction is written, for messages: `sum_i`, `max_{a,b}`, `softmax_i`. */
function binderText(prefix: string, indices: readonly Ident[]): string {
  const names = indices.map((i) => i.name);
  return `${prefix}_${names.length === 1 ? names[0] ?? '' : `{${names.join(',')}}`}`;
}

/**
 * Binds index variables for `body`. Reductions may not rebind an index already bound around
 * them; `softmax_i` may (it normalizes over `i` and leaves it free for the enclosing `sum_i`).
 */
export function bindIndices(indices: readonly Ident[], binder: string, ctx: Ctx, mayRebind: boolean): Local[] {
  const fresh: Local[] = [];
  for (const id of indices) {
    if (id.name === STEP) ctx.reporter.error(RESERVED_STEP, id, 'use another letter for the index');
    if (fresh.some((l) => l.name === id.name)) {
      ctx.reporter.error(`index \`${id.name}\` appears twice in \`${binder}\``, id);
      continue;
    }
    const outer = findLocal(ctx.locals, id.name);
    if (!mayRebind && outer !== undefined && outer.kind === 'index') {
      ctx.reporter.error(`index \`${id.name}\` is already bound by an enclosing reduction or metric`, id, 'use another letter');
    }
    const local: Local = { name: id.name, kind: 'index', span: id.span, random: false, used: false };
    ctx.tables.bindings.bind(id, local);
    fresh.push(local);
  }
  return fresh;
}

function walkBinder(e: Reduce | Softmax, ctx: Ctx): boolean {
  const binder = binderText(e.kind === 'Reduce' ? e.op : 'softmax', e.indices);
  const fresh = bindIndices(e.indices, binder, ctx, e.kind === 'Softmax');
  const random = walk(e.body, { ...ctx, locals: [...ctx.locals, ...fresh] });
  for (const l of fresh) {
    if (!l.used) {
      ctx.reporter.error(`\`${binder}\` binds \`${l.name}\`, but its body does not use it`, l.span,
        e.kind === 'Reduce' ? `a reduction covers the product to its right: \`${binder} a[${l.name}] * b[${l.name}]\`; use parentheses for more` : undefined);
    }
    // softmax leaves its index free: an enclosing binder of the same name is used through it
    const outer = e.kind === 'Softmax' ? findLocal(ctx.locals, l.name) : undefined;
    if (outer !== undefined) outer.used = true;
  }
  return random;
}

/** `a < b < c` is reported by the parser; this catches it in ASTs built otherwise. */
function checkChained(e: Expr & { kind: 'Compare' }, ctx: Ctx): void {
  const between = (a: number, b: number): string => ctx.source.slice(Math.max(0, a), Math.max(a, b));
  const leftBare = e.left.kind === 'Compare' && !between(e.left.span.end, e.opSpan.start).includes(')');
  const rightBare = e.right.kind === 'Compare' && !between(e.opSpan.end, e.right.span.start).includes('(');
  if (leftBare || rightBare) {
    ctx.reporter.error('comparisons cannot be chained', e.opSpan, 'write `(a < b) * (b < c)` for both');
  }
}

/** Checks `e` in `ctx`; returns whether its value is random (depends on a sample outside E[...]). */
export function walk(e: Expr, ctx: Ctx): boolean {
  switch (e.kind) {
    case 'Num':
      return false;
    case 'Str':
      ctx.reporter.error('a string can only be the argument of `load`', e);
      return false;
    case 'Name':
      return resolveName(e, ctx);
    case 'Vector':
      return walkArgs(e.elements, ctx);
    case 'Unary':
    case 'Norm':
      return walk(e.operand, ctx);
    case 'Transpose': {
      let cur: Expr = e;
      while (cur.kind === 'Transpose') cur = cur.operand; // `A'''...` without recursion
      return walk(cur, ctx);
    }
    case 'Stop':
      return walk(e.body, ctx);
    case 'Binary': {
      // long sums and products are left-deep trees: walk the left spine iteratively
      const rights: Expr[] = [];
      let cur: Expr = e;
      while (cur.kind === 'Binary') {
        rights.push(cur.right);
        cur = cur.left;
      }
      let random = walk(cur, ctx);
      for (const r of rights.reverse()) random = walk(r, ctx) || random;
      return random;
    }
    case 'Compare':
      checkChained(e, ctx);
      return walkArgs([e.left, e.right], ctx);
    case 'Index':
      return walkIndex(e, ctx);
    case 'Slice':
      ctx.reporter.error('a range `a:b` can only appear inside brackets, as in `X[a:b]`', e);
      return false;
    case 'Call':
      return walkCall(e, ctx);
    case 'Reduce':
    case 'Softmax':
      return walkBinder(e, ctx);
    case 'Expectation':
      walk(e.body, { ...ctx, inE: true });
      return false;
    case 'Grad':
      return walkGrad(e, ctx);
  }
}

/** Checks a shape annotation: each entry is a dim defined earlier or a positive integer. */
export function checkShape(shape: Shape | null, ctx: Ctx): void {
  if (shape === null) return;
  for (const d of shape.dims) {
    if (d.kind === 'Num') {
      ctx.reporter.must(Number.isInteger(d.value) && d.value >= 1, `a size must be a positive integer, not ${d.text}`, d);
      continue;
    }
    const g = ctx.tables.globals.get(d.name);
    if (g === undefined) {
      ctx.reporter.error(`unknown dim \`${d.name}\``, d, didYouMean(d.name, visibleNames(ctx.tables, ctx.order, [], ['dim'])) ?? `declare it: \`dim ${d.name} = ...\``);
    } else if (definedBefore(g, d.span, ctx) && g.kind !== 'dim') {
      ctx.reporter.error(`\`${d.name}\` is a ${kindWord(g.kind)}, not a dim: shapes use dims or integers`, d,
        g.kind === 'let' && g.literal !== undefined ? `declare it as \`dim ${d.name} = ${g.literal}\`` : undefined);
    } else {
      ctx.tables.bindings.bind(d, g);
    }
  }
}

/**
 * Checks a `where` clause: each binding sees the ones before it and the statement's own locals.
 * Binding values may be random (the error is at a random use outside E[...]). Returns the
 * locals with the bindings appended.
 */
export function walkBindings(bindings: readonly Binding[], ctx: Ctx): Local[] {
  const locals: Local[] = [...ctx.locals];
  for (const b of bindings) {
    const id = b.decl.name;
    if (id.name === STEP) ctx.reporter.error(RESERVED_STEP, id, 'choose another name for the `where` local');
    checkShape(b.decl.shape, ctx);
    const random = walk(b.value, { ...ctx, locals, deterministic: false });
    const clash = findLocal(locals, id.name);
    if (clash !== undefined) {
      ctx.reporter.error(`\`${id.name}\` is already bound in this statement`, id, 'rename one of the two');
      continue;
    }
    const local: Local = { name: id.name, kind: 'where', span: id.span, random, used: false };
    ctx.tables.bindings.bind(id, local);
    locals.push(local);
  }
  return locals;
}
