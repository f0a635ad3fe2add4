// Names the checker knows: the global table (in statement order), local scopes, and suggestions.
import type { Decl, Expr, Ident, ProgramAst, Span, Stmt } from '../ast.js';
import { LineMap, type Reporter } from '../diagnostics.js';
import { Bindings, BUILTIN_CONSTANTS } from './bound.js';
import { STEP, type Dependency } from './dependencies.js';

export type GlobalKind = 'dim' | 'let' | 'param' | 'sample' | 'function';

/** A top-level definition. `order` is its statement's index: references from earlier statements are errors. */
export interface GlobalInfo {
  readonly name: string;
  readonly kind: GlobalKind;
  readonly order: number;
  readonly line: number;
  readonly span: Span;
  /** A sample, or a let/function whose value depends on one (set when its statement is checked). */
  random: boolean;
  /** A `sample k ~ categorical(p)`: integer-valued, usable as an index. */
  readonly categorical: boolean;
  /** The value of a `let c = 0.5` / `let c = -1` / `dim d = 5` written as a number literal. */
  readonly literal: number | undefined;
  /** Number of parameters of a function. */
  readonly arity: number;
  /**
   * What its value varies with: a param or sample itself, or a let/function whose value depends on
   * params (an intermediate), samples or `step` (set when its statement is checked).
   */
  dependencies: Set<Dependency>;
}

/** A `metric` (its name is a claim series, never a value). */
export interface MetricInfo {
  readonly name: string;
  readonly line: number;
  readonly indices: number;
}

export type LocalKind = 'index' | 'where' | 'arg';

/** A name bound inside a statement: a reduction's index variable, a `where` name, a function argument. */
export interface Local {
  readonly name: string;
  readonly kind: LocalKind;
  readonly span: Span;
  random: boolean;
  /** Set when a reference resolves to it (reductions must use what they bind). */
  used: boolean;
}

/** What the whole-file pre-pass found. */
export interface Tables {
  readonly globals: Map<string, GlobalInfo>;
  readonly metrics: Map<string, MetricInfo>;
  /** Offsets to line numbers, for "defined on line N" messages. */
  readonly lines: LineMap;
  /** What each name node declares or refers to, filled in as the checker resolves it. */
  readonly bindings: Bindings;
}

/** The error for a definition named `step`. */
export const RESERVED_STEP = '`step` is a reserved name: it is the number of optimizer steps taken';

/** `pi` and `inf` are constants unless the file declares them (EM updates a `pi`). */
export const CONSTANTS: readonly string[] = [...BUILTIN_CONSTANTS.keys()];

/** A number literal, possibly signed: `0.5`, `-3`, `+1e-3`. */
export function literalValue(e: Expr): number | undefined {
  if (e.kind === 'Num') return e.value;
  if (e.kind === 'Unary' && e.operand.kind === 'Num') return e.op === '-' ? -e.operand.value : e.operand.value;
  return undefined;
}

/** The names a statement defines in the global namespace, with their kind. */
export function definitions(s: Stmt): Array<{ id: Ident; kind: GlobalKind; decl?: Decl }> {
  switch (s.kind) {
    case 'DimStmt': return s.decls.map((d) => ({ id: d.name, kind: 'dim' }));
    case 'LetStmt': return [{ id: s.decl.name, kind: 'let', decl: s.decl }];
    case 'ParamStmt': return s.decls.map((d) => ({ id: d.name, kind: 'param', decl: d }));
    case 'SampleStmt': return s.decls.map((d) => ({ id: d.name, kind: 'sample', decl: d }));
    case 'FuncStmt': return [{ id: s.name, kind: 'function' }];
    default: return [];
  }
}

const KIND_WORD: Record<GlobalKind, string> = { dim: 'dim', let: 'let', param: 'param', sample: 'sample', function: 'function' };
export const kindWord = (k: GlobalKind): string => KIND_WORD[k];

/**
 * Collects every global definition and metric of the file, reporting duplicates at the second
 * definition with the first one's line. The first definition wins.
 */
export function collectTables(program: ProgramAst, reporter: Reporter): Tables {
  const lines = new LineMap(program.source);
  const globals = new Map<string, GlobalInfo>();
  const metrics = new Map<string, MetricInfo>();
  const bindings = new Bindings();
  const lineOf = (sp: Span): number => lines.locate(sp.start).line;
  program.statements.forEach((s, order) => {
    for (const { id, kind } of definitions(s)) {
      const first = globals.get(id.name);
      if (first !== undefined) {
        reporter.error(`\`${id.name}\` is already defined (line ${first.line})`, id,
          `rename one of the two ${first.kind === kind ? `${kind}s` : 'definitions'}`);
        continue;
      }
      let literal: number | undefined;
      let categorical = false;
      let arity = 0;
      if (s.kind === 'LetStmt' && s.where.length === 0) literal = literalValue(s.value);
      if (s.kind === 'DimStmt') {
        const d = s.decls.find((x) => x.name === id);
        if (d !== undefined) literal = literalValue(d.value);
      }
      if (s.kind === 'SampleStmt') categorical = s.dist.name.name === 'categorical';
      if (s.kind === 'FuncStmt') arity = s.params.length;
      if (id.name === STEP) {
        reporter.error(RESERVED_STEP, id, 'choose another name; `step` is the built-in step counter');
        continue;
      }
      const dependencies = new Set<Dependency>(kind === 'param' || kind === 'sample' ? [kind] : []);
      const g: GlobalInfo = {
        name: id.name, kind, order, line: lineOf(id.span), span: id.span, random: kind === 'sample', categorical, literal, arity, dependencies,
      };
      globals.set(id.name, g);
      bindings.bind(id, g);
    }
    // after the objective, `loss` names its value (metrics may use it, as claims do)
    if (s.kind === 'LossStmt' && !globals.has('loss')) {
      const g: GlobalInfo = {
        name: 'loss', kind: 'let', order, line: lineOf(s.span), span: s.span, random: false, categorical: false, literal: undefined, arity: 0,
        dependencies: new Set<Dependency>(['param']),
      };
      globals.set('loss', g);
      bindings.bind(s, g);
    }
    if (s.kind === 'MetricStmt') {
      const first = metrics.get(s.name.name);
      if (s.name.name === STEP) {
        reporter.error(RESERVED_STEP, s.name, 'choose another name; `step` is the built-in step counter');
      } else if (s.name.name === 'loss') {
        reporter.error('a metric cannot be named `loss`: claims use `loss` for the objective', s.name, 'choose another name');
      } else if (first !== undefined) {
        reporter.error(`metric \`${s.name.name}\` is already defined (line ${first.line})`, s.name, 'rename one of the two metrics');
      } else {
        metrics.set(s.name.name, { name: s.name.name, line: lineOf(s.name.span), indices: s.indices.length });
      }
    }
  });
  return { globals, metrics, lines, bindings };
}

/** Innermost-last stack of local names; lookups search from the end. */
export type Locals = readonly Local[];

export function findLocal(locals: Locals, name: string): Local | undefined {
  for (let k = locals.length - 1; k >= 0; k--) {
    const l = locals[k];
    if (l !== undefined && l.name === name) return l;
  }
  return undefined;
}

/** Every value name visible from statement `order` with `locals` in scope (for "did you mean"). */
export function visibleNames(tables: Tables, order: number, locals: Locals, kinds?: readonly GlobalKind[]): string[] {
  const out = locals.map((l) => l.name).reverse();
  for (const g of tables.globals.values()) {
    if (g.order < order && (kinds === undefined ? g.kind !== 'function' : kinds.includes(g.kind))) out.push(g.name);
  }
  if (kinds === undefined) {
    for (const c of CONSTANTS) if (!tables.globals.has(c)) out.push(c);
    out.push(STEP);
  }
  return out;
}
