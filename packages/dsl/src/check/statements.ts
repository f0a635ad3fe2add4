// Per-statement checks: declarations, distributions, objective/metric/update bodies, expect,
// optimizer and settings. Names and randomness inside expressions are expr.ts's job.
import type {
  DimStmt, Distribution, Expr, FuncStmt, LetStmt, LossStmt, MetricStmt, OptimizerStmt, ParamStmt, SampleStmt,
  SettingStmt, Span, Stmt, UpdateStmt,
} from '../ast.js';
import { isBuiltin } from '../lower/builtins.js';
import { didYouMean } from '../diagnostics.js';
import { optimizerList } from '@descent/autodiff/optim';
import { OPTIMIZER_DEFAULTS } from '../optimizer-defaults.js';
import { checkClaim } from './claims.js';
import { bindIndices, checkShape, DEFAULT_RANDOM_HINT, walk, walkBindings, type Ctx } from './expr.js';
import { dependenciesOf, firstVarying, STEP } from './dependencies.js';
import { findLocal, kindWord, literalValue, RESERVED_STEP, visibleNames, type Local } from './scope.js';

/** Arguments of each optimizer, in positional order (names from the one table of defaults). */
export const OPTIMIZER_ARGS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  Object.entries(OPTIMIZER_DEFAULTS).map(([name, args]) => [name, args.map(([arg]) => arg)]),
);

/** Distributions and their argument names, for params and for samples. */
const PARAM_DISTS: Record<string, readonly string[]> = { normal: ['mean', 'std'], uniform: ['lo', 'hi'], draws: ['x'] };
const SAMPLE_DISTS: Record<string, readonly string[]> = { normal: ['mean', 'std'], categorical: ['p'] };

/** What the statements seen so far have declared once-per-file (with the line of the first). */
export interface FileState {
  objective: number | null;
  expect: number | null;
  optimizer: number | null;
  settings: Map<string, number>;
  updates: Map<string, number>;
}

export const newFileState = (): FileState =>
  ({ objective: null, expect: null, optimizer: null, settings: new Map(), updates: new Map() });

const lineOf = (ctx: Ctx, at: Span): number => ctx.tables.lines.locate(at.start).line;

/** Reports a second occurrence of a once-per-file statement; returns the line to remember. */
function once(first: number | null | undefined, what: string, at: Span, ctx: Ctx): number {
  if (first !== null && first !== undefined) {
    ctx.reporter.error(`${what} appears twice (first on line ${first})`, at, 'keep one of them');
    return first;
  }
  return lineOf(ctx, at);
}

/** Marks the global defined by this statement as random (a let or function over samples). */
function setRandom(name: string, ctx: Ctx, random: boolean): void {
  const g = ctx.tables.globals.get(name);
  if (g !== undefined && g.order === ctx.order) g.random = random;
}

/** A positive (or non-negative) integer literal check, when the value is a literal at all. */
function integerLiteral(e: Expr, what: string, min: number, ctx: Ctx): void {
  const v = literalValue(e);
  if (v === undefined) return;
  ctx.reporter.must(Number.isInteger(v) && v >= min, `${what} must be ${min >= 1 ? 'a positive' : 'a non-negative'} integer, not ${v}`, e);
}

/** The first part of a dim's value that is not numbers, dims and arithmetic. */
function nonConstantPart(e: Expr, ctx: Ctx): Expr | null {
  switch (e.kind) {
    case 'Num': return null;
    case 'Name': {
      const g = ctx.tables.globals.get(e.name);
      if (g === undefined) return e.name === STEP ? e : null; // unknown names are reported by walk
      return g.kind === 'dim' ? null : e;
    }
    case 'Unary': return nonConstantPart(e.operand, ctx);
    case 'Binary': return nonConstantPart(e.left, ctx) ?? nonConstantPart(e.right, ctx);
    default: return e;
  }
}

function checkDim(s: DimStmt, ctx: Ctx): void {
  for (const d of s.decls) {
    walk(d.value, ctx);
    const v = literalValue(d.value);
    if (v !== undefined) {
      ctx.reporter.must(Number.isInteger(v) && v >= 1, `dim \`${d.name.name}\` must be a positive integer, not ${v}`, d.value);
      continue;
    }
    const bad = nonConstantPart(d.value, ctx);
    if (bad !== null) {
      const g = bad.kind === 'Name' ? ctx.tables.globals.get(bad.name) : undefined;
      ctx.reporter.error(`dim \`${d.name.name}\` must be computed from numbers and other dims${g === undefined ? '' : `; \`${g.name}\` is a ${kindWord(g.kind)}`}`,
        bad, 'use `let` for values that are not sizes');
    }
  }
}

/** Records what the global defined by this statement (a let or function) varies with. */
function setDependencies(name: string, ctx: Ctx, exprs: readonly Expr[], bound: ReadonlySet<string>): void {
  const g = ctx.tables.globals.get(name);
  if (g !== undefined && g.order === ctx.order) g.dependencies = dependenciesOf(exprs, ctx.tables, bound);
}

function checkLet(s: LetStmt, ctx: Ctx): void {
  checkShape(s.decl.shape, ctx);
  const locals = walkBindings(s.where, ctx);
  setRandom(s.decl.name.name, ctx, walk(s.value, { ...ctx, locals }));
  // a let over params or `step` is an intermediate, evaluated once per evaluation
  setDependencies(s.decl.name.name, ctx, [s.value, ...s.where.map((b) => b.value)], new Set(s.where.map((b) => b.decl.name.name)));
}

/** Checks `~ name(args)` against the allowed table; `other` names the table of the other statement kind. */
function checkDistribution(dist: Distribution, what: 'param' | 'sample', ctx: Ctx): void {
  const [allowed, other] = what === 'param' ? [PARAM_DISTS, SAMPLE_DISTS] : [SAMPLE_DISTS, PARAM_DISTS];
  const name = dist.name.name;
  const argNames = allowed[name];
  const listing = Object.entries(allowed).map(([n, a]) => `${n}(${a.join(', ')})`).join(', ');
  if (argNames === undefined) {
    if (other[name] !== undefined) ctx.reporter.error(`a ${what} cannot be drawn from \`${name}\``, dist.name, `use ${listing}`);
    else ctx.reporter.error(`unknown distribution \`${name}\``, dist.name, didYouMean(name, Object.keys(allowed)) ?? `use ${listing}`);
    for (const a of dist.args) walk(a, ctx);
    return;
  }
  ctx.reporter.must(dist.args.length === argNames.length,
    `\`${name}\` takes ${argNames.length} argument${argNames.length === 1 ? '' : 's'} (${argNames.join(', ')}), got ${dist.args.length}`,
    dist.name);
  if (name === 'draws') {
    const [x] = dist.args;
    if (x === undefined) return;
    walk(x, { ...ctx, deterministic: false });
    const hint = 'e.g. `sample x[d] ~ normal(0, 1)` then `param mu[n, d] ~ draws(x)`';
    if (x.kind !== 'Name') {
      ctx.reporter.error('`draws` takes the name of a sample or of a `let` that depends on one', x, hint);
      return;
    }
    // unknown and later-defined names were reported by walk
    const g = ctx.tables.globals.get(x.name);
    if (g !== undefined && g.order < ctx.order && g.kind !== 'sample' && !(g.kind === 'let' && g.random)) {
      const what = g.kind === 'let' ? 'a let that does not depend on a sample' : `a ${kindWord(g.kind)}`;
      ctx.reporter.error(`\`draws\` takes a sample or a \`let\` that depends on one; \`${g.name}\` is ${what}`, x, hint);
    }
    return;
  }
  // a param's init is drawn once: its distribution's arguments cannot be per-draw random values
  const argCtx: Ctx = what === 'param' ? { ...ctx, deterministic: true, randomHint: 'initialize from data with `~ draws(x)`' } : ctx;
  for (const a of dist.args) walk(a, argCtx);
}

function checkParam(s: ParamStmt, ctx: Ctx): void {
  for (const d of s.decls) checkShape(d.shape, ctx);
  if (s.init.kind === 'Distribution') checkDistribution(s.init, 'param', ctx);
  else walk(s.init.value, { ...ctx, deterministic: true, randomHint: 'initialize from data with `~ draws(x)`' });
}

function checkSample(s: SampleStmt, ctx: Ctx): void {
  for (const d of s.decls) checkShape(d.shape, ctx);
  checkDistribution(s.dist, 'sample', ctx);
}

function checkFunction(s: FuncStmt, ctx: Ctx): void {
  const name = s.name.name;
  if (isBuiltin(name) || name === 'grad' || name === 'stop') {
    ctx.reporter.error(`\`${name}\` is a built-in function; choose another name`, s.name);
  }
  const args: Local[] = [];
  for (const p of s.params) {
    checkShape(p.shape, ctx);
    if (args.some((a) => a.name === p.name.name)) {
      ctx.reporter.error(`\`${p.name.name}\` appears twice in the arguments of \`${name}\``, p.name);
      continue;
    }
    if (p.name.name === STEP) ctx.reporter.error(RESERVED_STEP, p.name, 'choose another name for the argument');
    const arg: Local = { name: p.name.name, kind: 'arg', span: p.name.span, random: false, used: false };
    ctx.tables.bindings.bind(p.name, arg);
    args.push(arg);
  }
  const inner: Ctx = { ...ctx, locals: args, self: name };
  const locals = walkBindings(s.where, inner);
  setRandom(name, ctx, walk(s.body, { ...inner, locals }));
  setDependencies(name, ctx, [s.body, ...s.where.map((b) => b.value)], new Set([...args.map((a) => a.name), ...s.where.map((b) => b.decl.name.name)]));
}

/** The body of a loss, metric or update: where-names may be random, the body may not (outside E). */
function checkBody(body: Expr, where: LossStmt['where'], locals: Local[], ctx: Ctx): void {
  const inner: Ctx = { ...ctx, locals };
  const all = walkBindings(where, inner);
  walk(body, { ...inner, locals: all, deterministic: true, randomHint: DEFAULT_RANDOM_HINT });
}

function checkLoss(s: LossStmt, state: FileState, ctx: Ctx): void {
  if (state.objective !== null) {
    ctx.reporter.error(`a second objective (the first is on line ${state.objective})`, s,
      'a file has exactly one `loss = ...` or `maximize ...`');
  } else {
    state.objective = lineOf(ctx, s.span);
  }
  checkBody(s.body, s.where, [], ctx);
}

/** `metric name[i] = ...` / `update name[i] = ...`: binds the indices, which the body must use. */
function checkIndexed(s: MetricStmt | UpdateStmt, ctx: Ctx): void {
  const word = s.kind === 'MetricStmt' ? 'metric' : 'update';
  const binder = `${word} ${s.name.name}[${s.indices.map((i) => i.name).join(', ')}]`;
  const fresh = bindIndices(s.indices, binder, ctx, false);
  checkBody(s.body, s.where, fresh, ctx);
  for (const l of fresh) {
    ctx.reporter.must(l.used, `\`${binder}\` binds \`${l.name}\`, but its body does not use it`, l.span);
  }
}

function checkUpdate(s: UpdateStmt, state: FileState, ctx: Ctx): void {
  const name = s.name.name;
  const g = ctx.tables.globals.get(name);
  if (g === undefined) {
    ctx.reporter.error(`unknown parameter \`${name}\``, s.name, didYouMean(name, visibleNames(ctx.tables, ctx.order, [], ['param'])));
  } else if (g.order > ctx.order) {
    ctx.reporter.error(`\`${name}\` is used before it is defined (line ${g.line})`, s.name, `move the update below the param \`${name}\``);
  } else if (g.kind !== 'param') {
    ctx.reporter.error(`\`update\` replaces a param; \`${name}\` is a ${kindWord(g.kind)}`, s.name);
  } else {
    const first = state.updates.get(name);
    if (first !== undefined) ctx.reporter.error(`\`${name}\` already has an update (line ${first})`, s.name, 'keep one of them');
    else state.updates.set(name, lineOf(ctx, s.span));
    ctx.tables.bindings.bind(s.name, g);
  }
  checkIndexed(s, ctx);
}

function checkOptimizer(s: OptimizerStmt, state: FileState, ctx: Ctx): void {
  state.optimizer = once(state.optimizer, '`optimizer`', s.span, ctx);
  for (const a of s.args) {
    walk(a.value, ctx);
    // a schedule may use `step`, never the parameters or samples
    const bad = firstVarying([a.value], ctx.tables, ['param', 'sample']);
    if (bad !== null) {
      const what = bad.via !== undefined ? `\`${bad.via}\` depends on a ${bad.dependency}` : `\`${bad.name}\` is a ${bad.dependency}`;
      ctx.reporter.error(`optimizer arguments are numbers, lets, dims and \`step\`; ${what}`, bad.span,
        'a schedule is written with `step`: `lr = 0.5 / sqrt(1 + step)`');
    }
  }
  const name = s.name.name;
  const known = OPTIMIZER_ARGS[name];
  if (known === undefined) {
    ctx.reporter.error(`unknown optimizer \`${name}\``, s.name, didYouMean(name, Object.keys(OPTIMIZER_ARGS)) ?? `use ${optimizerList()}`);
    return;
  }
  const given = new Set<string>();
  let named = false;
  s.args.forEach((a, k) => {
    let argName: string | undefined;
    if (a.name === null) {
      if (named) {
        ctx.reporter.error('a positional argument cannot follow a named one', a, `name it: \`${known[k] ?? known[0] ?? 'lr'} = ...\``);
        return;
      }
      argName = known[k];
      if (argName === undefined) {
        ctx.reporter.error(`\`${name}\` takes at most ${known.length} argument${known.length === 1 ? '' : 's'} (${known.join(', ')})`, a);
        return;
      }
    } else {
      named = true;
      argName = a.name.name;
      if (!known.includes(argName)) {
        ctx.reporter.error(`\`${name}\` has no argument \`${argName}\``, a.name, didYouMean(argName, known) ?? `its arguments are ${known.join(', ')}`);
        return;
      }
    }
    if (given.has(argName)) ctx.reporter.error(`\`${argName}\` is given twice`, a.name ?? a);
    given.add(argName);
  });
}

function checkSetting(s: SettingStmt, state: FileState, ctx: Ctx): void {
  state.settings.set(s.key, once(state.settings.get(s.key), `\`${s.key}\``, s.span, ctx));
  walk(s.value, ctx);
  integerLiteral(s.value, `\`${s.key}\``, s.key === 'log' ? 1 : 0, ctx);
}

/** Checks statement `s` (the `order`-th of the file) in `ctx`, updating the file-wide `state`. */
export function checkStatement(s: Stmt, state: FileState, ctx: Ctx): void {
  switch (s.kind) {
    case 'DimStmt': return checkDim(s, ctx);
    case 'LetStmt': return checkLet(s, ctx);
    case 'ParamStmt': return checkParam(s, ctx);
    case 'SampleStmt': return checkSample(s, ctx);
    case 'FuncStmt': return checkFunction(s, ctx);
    case 'LossStmt': return checkLoss(s, state, ctx);
    case 'MetricStmt': return checkIndexed(s, ctx);
    case 'UpdateStmt': return checkUpdate(s, state, ctx);
    case 'OptimizerStmt': return checkOptimizer(s, state, ctx);
    case 'SettingStmt': return checkSetting(s, state, ctx);
    case 'ClaimStmt': return checkClaim(s, ctx);
    case 'ExpectStmt': {
      state.expect = once(state.expect, '`expect`', s.span, ctx);
      const n = s.method === 'samples' ? s.count : s.nodes;
      walk(n, ctx);
      integerLiteral(n, s.method === 'samples' ? 'the number of samples' : 'the number of quadrature nodes', 1, ctx);
      return;
    }
  }
}
