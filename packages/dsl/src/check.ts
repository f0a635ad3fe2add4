// The semantic pass between parsing and lowering: names, scopes, arities, structure and randomness;
// it returns the bound program the lowering reads.
import type { ProgramAst } from './ast.js';
import { LineMap, type Reporter } from './diagnostics.js';
import { Bindings, type BoundProgram } from './check/bound.js';
import { DEFAULT_RANDOM_HINT, type Ctx } from './check/expr.js';
import { checkOverrides } from './check/overrides.js';
import { collectTables } from './check/scope.js';
import { checkStatement, newFileState } from './check/statements.js';

export interface CheckOptions {
  /** `--set name=value` overrides, validated against the file. */
  overrides?: Record<string, number>;
}

/**
 * Reports every name, scope, arity and structure error of `program` through `reporter`
 * (shapes are the lowering's job) and returns the program with each name resolved to its
 * declaration. Never throws; on return, `reporter.ok` says whether the program may be lowered.
 *
 * @example
 * const r = parse('dim d = 2\nparam w[d] ~ normal(0, 1)\nloss = |wx|^2', 'a.loss');
 * if (r.ok) {
 *   const reporter = new Reporter(r.program.source, 'a.loss');
 *   check(r.program, reporter, {});
 *   reporter.diagnostics[0]?.message;   // "unknown name `wx`" (hint: did you mean `w`?)
 * }
 */
export function check(program: ProgramAst, reporter: Reporter, options: CheckOptions = {}): BoundProgram {
  try {
    const tables = collectTables(program, reporter);
    const state = newFileState();
    program.statements.forEach((s, order) => {
      const ctx: Ctx = {
        tables, reporter, source: program.source, order, locals: [], inE: false, deterministic: false,
        randomHint: DEFAULT_RANDOM_HINT, reported: new Set(), self: null,
      };
      checkStatement(s, state, ctx);
    });
    if (state.objective === null) {
      const end = program.source.length;
      reporter.error('no objective: the file needs `loss = ...` or `maximize ...`', { start: end, end },
        'add a line such as `loss = |w|^2`');
    }
    if (options.overrides !== undefined) checkOverrides(options.overrides, program, tables, reporter);
    return { ast: program, tables, bindings: tables.bindings };
  } catch (e) {
    // a checker bug must surface as a diagnostic, never as a stack trace; long sums, products and
    // postfix chains are walked iteratively, and bracket nesting is bounded by the parser
    if (e instanceof RangeError) {
      reporter.error('expression nested too deeply to check', { start: 0, end: 0 }, 'split it with `where` or `let`');
    } else {
      reporter.error(`internal checker error: ${e instanceof Error ? e.message : String(e)}`, { start: 0, end: 0 });
    }
    const bindings = new Bindings();
    return { ast: program, tables: { globals: new Map(), metrics: new Map(), lines: new LineMap(program.source), bindings }, bindings };
  }
}
