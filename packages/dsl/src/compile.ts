// The compile pipeline, top to bottom: parse → check → lower → program.
import { NodeBudgetError, withNodeBudget } from '@descent/autodiff';
import { dirname } from 'node:path';
import type { Diagnostic } from './diagnostics.js';
import { check } from './check.js';
import { Reporter } from './diagnostics.js';
import { defaultMemoryBudget } from './limits.js';
import { budgetExceeded } from './lower/failure.js';
import { lowerProgram, type LowerOptions } from './lower/statements.js';
import { parse } from './parse.js';
import type { CurvatureMethod } from './curvature.js';
import { MemoryLimitError, Program } from './program.js';

export interface CompileOptions extends Omit<LowerOptions, 'baseDir'> {
  /** The file name shown in messages; `load` paths are relative to its folder. */
  readonly file?: string;
  /** The most memory the program's buffers may take (default: half of this machine's memory). */
  readonly maxMemoryBytes?: number;
  /** The compile budget: graph nodes the compiler may create (default MAX_GRAPH_NODES). */
  readonly maxGraphNodes?: number;
  /** How Hessian metrics are computed: 'auto' (dense up to 2048 parameters), 'dense' or 'iterative'. */
  readonly curvatureMethod?: CurvatureMethod;
}

/**
 * Graph nodes one compilation may create. The models in packages/models need under 1,000 and a
 * 50,000-character sum about 50,000; past this, compile time would grow into minutes.
 */
export const MAX_GRAPH_NODES = 100_000;


export type CompileResult =
  | { readonly ok: true; readonly program: Program }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/**
 * Compiles `.loss` source text into a runnable program, or returns every error found, each with
 * file, line and column. Never throws for any input text.
 */
export function compileSource(source: string, options: CompileOptions = {}): CompileResult {
  const file = options.file ?? '<input>';
  const parsed = parse(source, file);
  if (!parsed.ok) return { ok: false, diagnostics: parsed.diagnostics };
  const reporter = new Reporter(source, file);
  // no prototype: a name such as `constructor` or `__proto__` must not find Object's members
  const overrides: Record<string, number> = Object.assign(Object.create(null) as Record<string, number>, options.overrides ?? {});
  check(parsed.program, reporter, { overrides });
  if (!reporter.ok) return { ok: false, diagnostics: reporter.diagnostics };
  const budget = options.maxMemoryBytes ?? defaultMemoryBudget();
  const loss = parsed.program.statements.find((s) => s.kind === 'LossStmt');
  try {
    return withNodeBudget(options.maxGraphNodes ?? MAX_GRAPH_NODES, () => {
      const lowered = lowerProgram(parsed.program, reporter, { ...options, overrides, baseDir: dirname(file), maxMemoryBytes: budget });
      if (lowered === undefined) return { ok: false, diagnostics: reporter.diagnostics };
      return { ok: true, program: new Program(lowered, lowered.settings.seed, budget, options.curvatureMethod) };
    });
  } catch (e) {
    if (e instanceof NodeBudgetError) budgetExceeded(reporter, e, loss ?? { start: 0, end: 0 });
    else if (e instanceof MemoryLimitError) reporter.error(e.message, loss ?? { start: 0, end: 0 });
    else throw e;
    return { ok: false, diagnostics: reporter.diagnostics };
  }
}
