// Lowering of a whole file: dims, lets, params, samples, the loss, metrics, updates and settings.
import {
  broadcastTo, constant, formatBytes, formatShape, NodeBudgetError, permute, placeholder, Random, sameShape,
  withDeferredConstants,
  type Shape, type Tensor,
} from '@descent/autodiff';
import type {
  Binding as WhereBinding, ClaimStmt, Decl, Expr, LetStmt, MetricStmt, ParamStmt, ProgramAst, SampleStmt, Series, Stmt,
  UpdateStmt,
} from '../ast.js';
import type { BoundProgram } from '../check/bound.js';
import { Reporter } from '../diagnostics.js';
import { isOptimizerKind } from '@descent/autodiff/optim';
import { OPTIMIZER_DEFAULTS } from '../optimizer-defaults.js';
import type { LoadedData } from '../data.js';
import { MAX_LOAD_BYTES } from '../limits.js';
import { excerpt, type LoadOptions, type LoadResult } from '../load.js';
import { MAX_QUADRATURE_NODES } from '../quadrature.js';
import type {
  ClaimSetting, ClaimTerm, ExpectMode, Lowered, LoweredCurvature, LoweredMetric, LoweredParam, LoweredUpdate, OptimizerSetting,
} from '../lowered.js';
import type { LowerContext } from './context.js';
import { ExprLowerer } from './expr.js';
import { budgetExceeded, fail, Reported, unchecked } from './failure.js';
import { MAX_DRAWS, Sampler, sampleLayout } from './sampling.js';
import { Scope, type Bound } from './scope.js';
import { definitions } from '../check/scope.js';
import { isMeasurement, seriesOfExpr, type IsSeries } from '../check/claims.js';
import { children } from '../check/dependencies.js';
import { constantNumber, describe, DRAW, isRandom, val, type Val } from './values.js';

export interface LowerOptions {
  readonly overrides?: Readonly<Record<string, number>>;
  readonly seed?: number;
  /** Replaces the file's `expect` (the CLI's --samples, --fresh, --quadrature). */
  readonly expect?: { readonly samples?: number; readonly fresh?: boolean; readonly quadrature?: number };
  readonly baseDir?: string;
  readonly maxLoadBytes?: number;
  /** Files or folders outside the model's folder that `load` may read (--allow-read). */
  readonly allowRead?: readonly string[];
  /** Declarations whose values would exceed this are refused before anything is allocated. */
  readonly maxMemoryBytes?: number;
  /** Reads `load("file")` (the host's reader: the local disk on Node); without it `load` is an error. */
  readonly load?: (path: string, baseDir: string, options: LoadOptions) => LoadResult;
  /** Values passed from JavaScript for `let NAME = load(...)`, by name (checked by data.ts). */
  readonly data?: LoadedData;
}

/** Whether `e` measures a series somewhere (`final(x)` inside a claim's value). */
function containsMeasurement(e: Expr, isSeries: IsSeries): boolean {
  const stack: Expr[] = [e];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (isMeasurement(x, isSeries)) return true;
    stack.push(...children(x));
  }
  return false;
}

/** Whether the only graph input behind `t` is `input` (a schedule reads `step`, nothing else). */
function dependsOnlyOn(t: Tensor, input: Tensor | undefined): boolean {
  const stack: Tensor[] = [t];
  const seen = new Set<number>();
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (seen.has(x.id)) continue;
    seen.add(x.id);
    if (x.symbolic && x.prim === undefined && x !== input) return false;
    stack.push(...x.inputs);
  }
  return true;
}

/**
 * Lowers a checked file (the bound program `check` returns: names are not resolved again here).
 * Errors go to `reporter`; the result is undefined when there were any.
 */
export function lowerProgram(bound: BoundProgram, reporter: Reporter, options: LowerOptions = {}): Lowered | undefined {
  // large constants (a seed broadcast to [n, n], draws of fixed samples) are left to the plan, so
  // nothing big is allocated before the program's memory is checked
  return withDeferredConstants(true, () => new FileLowerer(bound, reporter, options).run());
}

class FileLowerer {
  private readonly scope = new Scope();
  private readonly ctx: LowerContext;
  private readonly exprs: ExprLowerer;
  private readonly overrides: Readonly<Record<string, number>>;
  private readonly seed: number;
  private readonly initRng: Random;
  private readonly letRng: Random;
  private sampler: Sampler | undefined;
  private readonly program: ProgramAst;
  private readonly params: LoweredParam[] = [];
  /** The index in `params` of each param's declaration. */
  private readonly paramIndex = new Map<Bound, number>();
  private readonly metrics: LoweredMetric[] = [];
  private readonly curvature: LoweredCurvature[] = [];
  private readonly updates: LoweredUpdate[] = [];
  private readonly claims: ClaimSetting[] = [];
  private readonly schedule: Array<{ name: string; value: Tensor }> = [];
  private readonly constants: Record<string, number> = Object.create(null) as Record<string, number>; // no prototype: any name is a plain key
  private objective: Val | undefined;
  private sense: 'minimize' | 'maximize' = 'minimize';
  private optimizer: OptimizerSetting = { name: 'gd', args: { lr: 0.01 } };
  private settings = { steps: 1000, log: 200 };
  private mode: ExpectMode = { kind: 'none' };

  constructor(
    private readonly bound: BoundProgram,
    private readonly reporter: Reporter,
    private readonly options: LowerOptions,
    /** For `~ draws(x)`: lower only up to this statement, with a sampler of its own. */
    private readonly drawsFor?: { stop: Stmt; count: number; rng: Random },
  ) {
    this.program = bound.ast;
    this.overrides = options.overrides ?? {};
    this.seed = options.seed ?? this.settingValue('seed') ?? 0;
    this.initRng = new Random(`${this.seed}/init`);
    this.letRng = new Random(`${this.seed}/let`);
    this.ctx = {
      reporter,
      bindings: bound.bindings,
      constRng: this.letRng,
      draws: undefined,
      baseDir: options.baseDir ?? '.',
      maxLoadBytes: options.maxLoadBytes ?? MAX_LOAD_BYTES,
      allowRead: options.allowRead ?? [],
      step: undefined,
      curvature: undefined,
    };
    this.exprs = new ExprLowerer(this.ctx);
  }

  run(): Lowered | undefined {
    for (const s of this.program.statements) {
      if (this.drawsFor && s === this.drawsFor.stop) break;
      try {
        this.statement(s);
      } catch (e) {
        if (e instanceof NodeBudgetError) throw budgetExceeded(this.reporter, e, s);
        if (!(e instanceof Reported)) throw e;
        // what this statement would have defined: later uses add no second error
        for (const { id } of definitions(s)) {
          const d = this.exprs.bound(id);
          if (this.scope.get(d) === undefined) this.scope.set(d, { kind: 'failed' });
        }
      }
    }
    if (this.drawsFor) return undefined;
    // the checker made sure of an objective: it is missing only when its statement failed
    if (!this.reporter.ok || this.objective === undefined) return undefined;
    return {
      params: this.params,
      noise: this.sampler?.noise ?? [],
      objective: this.objective.t,
      metrics: this.metrics,
      curvature: this.curvature,
      updates: this.updates,
      settings: {
        optimizer: this.optimizer,
        steps: this.settings.steps,
        log: this.settings.log,
        seed: this.seed,
        expect: this.mode,
        objective: this.sense,
      },
      claims: this.claims,
      constants: this.constants,
      step: this.ctx.step,
      schedule: this.schedule,
    };
  }

  /** The value of `steps`/`seed`/`log` written as a number, read before anything is lowered. */
  private settingValue(key: 'steps' | 'seed' | 'log'): number | undefined {
    for (const s of this.program.statements) {
      if (s.kind === 'SettingStmt' && s.key === key && s.value.kind === 'Num') return s.value.value;
    }
    return undefined;
  }

  private lowerConst(e: Expr, what: string): number {
    const v = this.exprs.lower(e, this.scope);
    const n = constantNumber(v);
    if (n === undefined) fail(this.reporter, `${what} must be a constant number`, e);
    return n;
  }

  private positiveInt(e: Expr, what: string): number {
    const n = this.lowerConst(e, what);
    if (!Number.isInteger(n) || n < 1) fail(this.reporter, `${what} must be a positive integer, got ${n}`, e);
    return n;
  }

  private shapeOf(d: Decl): number[] {
    const shape = (d.shape?.dims ?? []).map((x) => {
      if (x.kind === 'Num') return x.value;
      const b = this.scope.get(this.exprs.bound(x));
      if (b?.kind !== 'dim') fail(this.reporter, `\`${x.name}\` is not a dim`, x); // its statement failed
      return b.value;
    });
    this.withinBudget(shape.reduce((a, b) => a * b, 1), `${d.name.name}${formatShape(shape)}`, d);
    return shape;
  }

  /** Refuses a declaration of `count` values that could not fit in memory, naming the sizes. */
  private withinBudget(count: number, what: string, at: Decl | Stmt): void {
    const budget = this.options.maxMemoryBytes ?? Infinity;
    if (count * 8 > budget) {
      fail(this.reporter, `${what} holds ${count.toExponential(2)} values (${formatBytes(count, 8)}), more than the memory limit of ${formatBytes(budget)}`, at);
    }
  }

  private withWhere(where: readonly WhereBinding[]): Scope {
    const s = this.scope.child();
    for (const w of where) s.set(this.exprs.bound(w.decl.name), { kind: 'value', val: this.exprs.lower(w.value, s) });
    return s;
  }

  private statement(s: Stmt): void {
    switch (s.kind) {
      case 'DimStmt':
        for (const d of s.decls) {
          const name = d.name.name;
          // an override was checked to be a positive integer (check/overrides.ts)
          const n = this.overrides[name] ?? this.positiveInt(d.value, `dim ${name}`);
          this.scope.set(this.exprs.bound(d.name), { kind: 'dim', value: n });
          this.constants[name] = n;
        }
        return;
      case 'LetStmt':
        return this.let(s);
      case 'ParamStmt':
        return this.param(s);
      case 'SampleStmt':
        return this.sample(s);
      case 'ExpectStmt':
        return;
      case 'FuncStmt':
        this.scope.set(this.exprs.bound(s.name), { kind: 'function', stmt: s });
        return;
      case 'LossStmt': {
        const v = this.exprs.lower(s.body, this.withWhere(s.where));
        this.requireScalar(v, s.body, 'the loss');
        this.objective = v;
        this.sense = s.sense;
        // later metrics may use the objective's value by its claim name (unless the file declares `loss`)
        const loss = this.bound.bindings.get(s);
        if (loss !== undefined && loss.kind === 'let') this.scope.set(loss, { kind: 'value', val: v });
        return;
      }
      case 'MetricStmt': {
        const metric = s.name.name;
        // Hessian metrics read an input that the program fills before the metrics run
        this.ctx.curvature = (value, kind, k) => {
          const input = placeholder(kind === 'eigs' ? [k] : [], `${kind}(${metric})`);
          this.curvature.push({ kind, k, value, placeholder: input, metric });
          return input;
        };
        let t: Tensor;
        try {
          t = this.indexed(s, `metric ${metric}`);
        } finally {
          this.ctx.curvature = undefined;
        }
        if (t.rank !== s.indices.length) fail(this.reporter, `a metric must be a number per index, got shape ${formatShape(t.shape.slice(s.indices.length))}`, s.body);
        this.metrics.push({ name: s.name.name, shape: t.shape, value: t });
        return;
      }
      case 'UpdateStmt': {
        const k = this.paramIndex.get(this.exprs.bound(s.name));
        if (k === undefined) fail(this.reporter, `update: \`${s.name.name}\` is not a param`, s.name); // it failed to lower
        const t = this.indexed(s, `update ${s.name.name}`);
        const shape = this.params[k]!.shape;
        if (!sameShape(t.shape, shape) && t.size !== 1) {
          fail(this.reporter, `update ${s.name.name}: the value has shape ${formatShape(t.shape)}, the param ${formatShape(shape)}`, s.body);
        }
        this.updates.push({ param: k, value: sameShape(t.shape, shape) ? t : broadcastTo(t, shape) });
        return;
      }
      case 'OptimizerStmt': {
        const name = s.name.name;
        if (!isOptimizerKind(name)) unchecked(this.reporter, `the optimizer \`${name}\``, s.name);
        const defaults = OPTIMIZER_DEFAULTS[name];
        const args: Record<string, number> = Object.fromEntries(defaults);
        const schedule: Record<string, string> = Object.create(null) as Record<string, string>;
        s.args.forEach((a, k) => {
          const key = a.name?.name ?? defaults[k]?.[0];
          if (key === undefined || !(key in args)) unchecked(this.reporter, `argument ${a.name?.name ?? k + 1} of the optimizer ${name}`, a);
          const override = this.overrides[key];
          if (override !== undefined) {
            args[key] = override;
            return;
          }
          const v = this.exprs.lower(a.value, this.scope);
          const n = constantNumber(v);
          if (n !== undefined) {
            args[key] = n;
            return;
          }
          // a schedule: a scalar that varies with `step` alone, evaluated before each step
          if (v.index.length > 0 || v.shape.length > 0 || !dependsOnlyOn(v.t, this.ctx.step)) {
            fail(this.reporter, `optimizer argument ${key} must be a number, or a number that varies with \`step\``, a.value);
          }
          args[key] = NaN;
          schedule[key] = this.program.source.slice(a.value.span.start, a.value.span.end);
          this.schedule.push({ name: key, value: v.t });
        });
        for (const [key] of defaults) if (this.overrides[key] !== undefined) args[key] = this.overrides[key];
        this.optimizer = Object.keys(schedule).length > 0 ? { name, args, schedule } : { name, args };
        return;
      }
      case 'SettingStmt': {
        if (s.key === 'seed') return;
        this.settings[s.key] = this.positiveInt(s.value, s.key);
        return;
      }
      case 'ClaimStmt':
        this.claims.push(this.claim(s));
        return;
    }
  }

  /**
   * The value of `metric name[i, j] = e` or `update p[i] = e`: e lowered with the indices bound,
   * not random, with no other free index, laid out as [sizes of i, j, ...] ++ its own shape.
   */
  private indexed(s: MetricStmt | UpdateStmt, what: string): Tensor {
    const scope = this.exprs.bindIndices(s.indices, s.body, this.withWhere(s.where));
    const v = this.exprs.lower(s.body, scope);
    const names = s.indices.map((i) => i.name);
    if (isRandom(v)) unchecked(this.reporter, `a random ${what}`, s.body);
    const extra = v.index.filter((n) => !names.includes(n));
    if (extra.length) fail(this.reporter, `${what} has free index ${extra.join(', ')}`, s.body);
    const missing = names.filter((n) => !v.index.includes(n));
    if (missing.length) fail(this.reporter, `${what}[${names.join(', ')}] does not use index ${missing.join(', ')}`, s.name);
    const order = names.map((n) => v.index.indexOf(n));
    if (order.every((k, i) => k === i)) return v.t;
    return permute(v.t, [...order, ...v.shape.map((_, j) => names.length + j)]);
  }

  private requireScalar(v: Val, at: Expr, what: string): void {
    if (isRandom(v)) unchecked(this.reporter, `a random value of ${what}`, at);
    if (v.index.length) fail(this.reporter, `${what} has free index ${v.index.join(', ')}: reduce it with sum_${v.index[0]}`, at);
    if (v.shape.length) fail(this.reporter, `${what} must be a scalar, got shape ${formatShape(v.shape)}`, at);
  }

  private let(s: LetStmt): void {
    const name = s.decl.name.name;
    const declared = s.decl.shape ? this.shapeOf(s.decl) : undefined;
    let v: Val;
    const override = this.overrides[name];
    if (override !== undefined && s.value.kind === 'Num') {
      v = val(constant(Float64Array.of(override), []));
      this.constants[name] = override;
    } else if (s.value.kind === 'Call' && s.value.callee.name === 'load') {
      v = this.load(s, declared);
    } else {
      this.ctx.constRng = this.letRng;
      v = this.exprs.lower(s.value, this.withWhere(s.where));
      if (s.value.kind === 'Num') this.constants[name] = s.value.value;
    }
    if (declared) v = this.conform(v, declared, s.value, `let ${name}`);
    this.scope.set(this.exprs.bound(s.decl.name), { kind: 'value', val: v });
  }

  private load(s: LetStmt, declared: number[] | undefined): Val {
    const call = s.value as Extract<Expr, { kind: 'Call' }>;
    const arg = call.args[0];
    if (call.args.length !== 1 || arg?.kind !== 'Str') unchecked(this.reporter, 'a `load` without one file name in quotes', call);
    const given = this.options.data?.[s.decl.name.name];
    const read = this.options.load ?? ((path: string): LoadResult => ({ ok: false, message: `${excerpt(path, 200)}: no file reader was given` }));
    const r: LoadResult = given !== undefined ? { ok: true, data: given.data, shape: [...given.shape] } : read(arg.value, this.ctx.baseDir, {
      maxBytes: this.ctx.maxLoadBytes,
      allowRead: this.ctx.allowRead,
      ...(this.options.maxMemoryBytes === undefined ? {} : { maxMemoryBytes: this.options.maxMemoryBytes }),
      // the declared shape passed the memory check: the values go into one buffer of that size
      ...(declared === undefined ? {} : { expectedCount: declared.reduce((a, b) => a * b, 1) }),
    });
    const shown = given !== undefined ? `data.${s.decl.name.name}` : `load("${excerpt(arg.value, 200)}")`;
    if (!r.ok) fail(this.reporter, `${shown}: ${r.message}`, arg);
    if (declared && (r.shape.length !== declared.length || r.shape.some((d, i) => d !== declared[i]))) {
      fail(this.reporter, `${shown}: the ${given !== undefined ? 'value has' : 'file holds'} shape ${formatShape(r.shape)}, declared ${formatShape(declared)}`, arg);
    }
    return val(constant(r.data, r.shape));
  }

  /** A value made to have the declared positional shape (scalars broadcast; others must match). */
  private conform(v: Val, declared: number[], at: Expr, what: string): Val {
    if (sameShape(v.shape, declared)) return v;
    if (v.shape.length === 0 && v.index.length === 0) return val(broadcastTo(v.t, declared));
    return fail(this.reporter, `${what}: declared shape ${formatShape(declared)}, but the value has shape ${describe(v)}`, at);
  }

  private param(s: ParamStmt): void {
    for (const d of s.decls) {
      const name = d.name.name;
      const shape = this.shapeOf(d);
      const initial = this.initialValue(s, d, shape);
      const ph = placeholder(shape, name);
      const declaration = this.exprs.bound(d.name);
      this.paramIndex.set(declaration, this.params.length);
      this.params.push({ name, shape, placeholder: ph, initial });
      this.scope.set(declaration, { kind: 'value', val: val(ph) });
    }
  }

  private initialValue(s: ParamStmt, d: Decl, shape: Shape): Float64Array {
    const size = shape.reduce((a, b) => a * b, 1);
    const what = `param ${d.name.name}`;
    if (s.init.kind === 'InitValue') {
      this.ctx.constRng = this.initRng;
      // the initial value is needed now, whatever its size
      const value = s.init.value;
      const v = withDeferredConstants(false, () => this.conform(this.exprs.lower(value, this.scope), [...shape], value, what));
      if (v.t.symbolic || v.t.tracked || v.index.length) fail(this.reporter, `${what}: the initial value must not depend on params, samples or \`step\``, s.init);
      return Float64Array.from(v.t.data);
    }
    const dist = s.init;
    const args = dist.args;
    switch (dist.name.name) {
      case 'normal':
      case 'uniform': {
        if (args.length !== 2) unchecked(this.reporter, `${dist.name.name} without 2 arguments`, dist);
        const a = this.lowerConst(args[0]!, `${dist.name.name}'s first argument`);
        const b = this.lowerConst(args[1]!, `${dist.name.name}'s second argument`);
        const out = new Float64Array(size);
        return dist.name.name === 'normal' ? this.initRng.fillNormal(out, a, b) : this.initRng.fillUniform(out, a, b);
      }
      case 'draws': {
        const target = args[0];
        if (args.length !== 1 || target?.kind !== 'Name') unchecked(this.reporter, '`draws` without the name of a random value', dist);
        const count = shape[0] ?? 1;
        // lower the file again up to this statement, with `count` fixed draws of its own
        const scratch = new Reporter(this.program.source, this.reporter.file);
        const sub = new FileLowerer(this.bound, scratch, this.options, {
          stop: s,
          count,
          rng: new Random(`${this.seed}/draws/${d.name.name}`),
        });
        withDeferredConstants(false, () => sub.run());
        if (!scratch.ok) fail(this.reporter, `draws(${target.name}): ${scratch.diagnostics[0]!.message}`, dist);
        const b = sub.scope.get(this.exprs.bound(target));
        if (b?.kind !== 'value' || !isRandom(b.val)) unchecked(this.reporter, `\`draws\` of the value \`${target.name}\` that is not random`, target);
        const v = b.val;
        const row = shape.slice(1);
        if (v.index.length !== 1 || !sameShape(v.shape, row)) {
          fail(this.reporter, `${what}: draws of ${target.name} have shape ${describe(v)}, each row needs ${formatShape(row)}`, dist);
        }
        return Float64Array.from(v.t.data);
      }
      default:
        return unchecked(this.reporter, `the distribution \`${dist.name.name}\` for a param`, dist.name);
    }
  }

  private expectMode(): Exclude<ExpectMode, { kind: 'none' }> {
    if (this.drawsFor) return { kind: 'samples', count: this.drawsFor.count, fresh: false };
    const o = this.options.expect ?? {};
    if (o.quadrature !== undefined) return { kind: 'quadrature', nodes: o.quadrature };
    const stmt = this.program.statements.find((s) => s.kind === 'ExpectStmt');
    let mode: Exclude<ExpectMode, { kind: 'none' }> = { kind: 'samples', count: 10000, fresh: true };
    if (stmt?.kind === 'ExpectStmt') {
      mode =
        stmt.method === 'quadrature'
          ? { kind: 'quadrature', nodes: this.positiveInt(stmt.nodes, 'quadrature nodes') }
          : { kind: 'samples', count: this.positiveInt(stmt.count, 'the sample count'), fresh: stmt.fresh };
    }
    // --fresh alone means fresh batches for a sampling file; a quadrature file has none to redraw
    if (o.samples !== undefined || (o.fresh !== undefined && mode.kind === 'samples')) {
      const count = o.samples ?? (mode.kind === 'samples' ? mode.count : 10000);
      const fresh = o.fresh ?? (mode.kind === 'samples' ? mode.fresh : false);
      mode = { kind: 'samples', count, fresh };
    }
    return mode;
  }

  private sample(s: SampleStmt): void {
    if (this.sampler === undefined) {
      const mode = this.expectMode();
      const layout = sampleLayout(
        this.program,
        (stmt, k) => this.shapeOf(stmt.decls[k]!),
        (stmt) => this.categoricalSize(stmt),
      );
      if (mode.kind === 'quadrature' && !(mode.nodes <= MAX_QUADRATURE_NODES)) {
        fail(this.reporter, `quadrature(${mode.nodes}) asks for more than ${MAX_QUADRATURE_NODES} nodes per coordinate (Gauss–Hermite rules are computed up to ${MAX_QUADRATURE_NODES}): use fewer nodes, or samples(N)`, s);
      }
      const count = Sampler.drawCount(mode, layout);
      if (!(count <= MAX_DRAWS)) {
        fail(this.reporter, `${mode.kind === 'quadrature' ? `quadrature(${mode.nodes}) over ${layout.gaussianDims} Gaussian coordinates` : 'the sample count'} needs ${count.toExponential(2)} draws, more than ${MAX_DRAWS}: use samples(N)`, s);
      }
      this.withinBudget(count * Math.max(1, layout.gaussianDims + layout.categoricalSizes.length), `the draws of ${mode.kind === 'quadrature' ? `quadrature(${mode.nodes})` : `samples(${mode.count})`}`, s);
      const rng = this.drawsFor?.rng ?? new Random(`${this.seed}/fixed-samples`);
      this.sampler = new Sampler(mode, layout, rng);
      this.ctx.draws = this.sampler.draws;
      if (!this.drawsFor) this.mode = mode;
    }
    const sampler = this.sampler;
    const dist = s.dist;
    for (const d of s.decls) {
      const name = d.name.name;
      let v: Val;
      if (dist.name.name === 'normal') {
        if (dist.args.length !== 2) unchecked(this.reporter, '`normal` without 2 arguments', dist);
        const mean = this.exprs.lower(dist.args[0]!, this.scope);
        const std = this.exprs.lower(dist.args[1]!, this.scope);
        v = sampler.normal(name, this.shapeOf(d), mean, std);
      } else if (dist.name.name === 'categorical') {
        const p = this.exprs.lower(dist.args[0]!, this.scope);
        if (p.shape.length !== 1 || p.index.length) fail(this.reporter, `categorical needs a vector of probabilities, got ${describe(p)}`, dist);
        if (sampler.mode.kind === 'samples' && (p.t.symbolic || p.t.tracked)) {
          fail(this.reporter, 'categorical probabilities must be constants when sampling (quadrature allows params)', dist);
        }
        v = sampler.categorical(name, p);
      } else {
        return unchecked(this.reporter, `the distribution \`${dist.name.name}\` for a sample`, dist.name);
      }
      this.scope.set(this.exprs.bound(d.name), { kind: 'value', val: v });
    }
  }

  /** The number of categories of `categorical(p)`, from p's declaration or literal, before lowering. */
  private categoricalSize(s: SampleStmt): number {
    const p = s.dist.args[0];
    if (p?.kind === 'Vector') return p.elements.length;
    if (p?.kind === 'Name') {
      const b = this.scope.get(this.exprs.bound(p));
      if (b?.kind === 'value' && b.val.shape.length === 1) return b.val.shape[0]!;
    }
    return fail(this.reporter, 'categorical(p): p must be a vector defined before the first sample', s.dist);
  }

  /** The name of a series as the log's reader takes it: `loss`, `norm[0]`, `norm[*]`. */
  private seriesName(series: Series): string {
    if (series.every) return `${series.name.name}[*]`;
    const index = series.indices.map((e) => this.lowerConst(e, 'a series index'));
    return index.length ? `${series.name.name}[${index.join(', ')}]` : series.name.name;
  }

  /** A claim's value side: a constant, or arithmetic over measurements of series. */
  private claimTerm(e: Expr, isSeries: IsSeries): ClaimTerm {
    if (!containsMeasurement(e, isSeries)) return { kind: 'number', value: this.lowerConst(e, 'the claimed value') };
    if (e.kind === 'Unary') return e.op === '-' ? { kind: 'neg', a: this.claimTerm(e.operand, isSeries) } : this.claimTerm(e.operand, isSeries);
    if (e.kind === 'Binary' && (e.op === '+' || e.op === '-' || e.op === '*' || e.op === '/')) {
      return { kind: 'op', op: e.op, a: this.claimTerm(e.left, isSeries), b: this.claimTerm(e.right, isSeries) };
    }
    if (e.kind === 'Call' && isMeasurement(e, isSeries)) {
      const series = seriesOfExpr(e.args[0], isSeries)!;
      return {
        kind: 'measure', fn: e.callee.name, series: this.seriesName(series),
        args: e.args.slice(1).map((a) => this.lowerConst(a, 'a claim argument')),
        text: this.program.source.slice(e.span.start, e.span.end),
      };
    }
    return fail(this.reporter, 'a measurement in a claim may only be added, subtracted, multiplied or divided', e);
  }

  private claim(s: ClaimStmt): ClaimSetting {
    const series = this.seriesName(s.series);
    const metricNames = new Set(this.program.statements.flatMap((x) => (x.kind === 'MetricStmt' ? [x.name.name] : [])));
    const isSeries: IsSeries = (name) => name === 'loss' || metricNames.has(name);
    const term = this.claimTerm(s.value, isSeries);
    const value = term.kind === 'number' ? term.value : 0;
    const tol = s.tolerance ? this.lowerConst(s.tolerance, 'the tolerance') : undefined;
    const text = this.program.source.slice(s.span.start, s.span.end).replace(/^claim\s+/, '');
    const line = this.program.source.slice(0, s.span.start).split('\n').length;
    return {
      fn: s.test.name,
      series,
      args: s.args.map((e) => this.lowerConst(e, 'a claim argument')),
      op: s.op,
      value,
      ...(term.kind === 'number' ? {} : { against: term }),
      ...(tol !== undefined ? { tol } : {}),
      text,
      line,
    };
  }
}

