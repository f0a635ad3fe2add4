// The compile pipeline, top to bottom: parse → check (the bound program) → lower → program (its plans);
// file access through the host.
import { NodeBudgetError, withNodeBudget } from '@descent/autodiff';
import type { ProgramAst } from './ast.js';
import type { Diagnostic } from './diagnostics.js';
import { check } from './check.js';
import { checkData, type DataValues } from './data.js';
import { formatDiagnostics, Reporter } from './diagnostics.js';
import type { DslHost } from './host.js';
import { budgetExceeded } from './lower/failure.js';
import { lowerProgram, type LowerOptions } from './lower/statements.js';
import { parse } from './parse.js';
import type { CurvatureMethod } from './curvature.js';
import { MemoryLimitError, Program } from './program.js';

export interface CompileOptions extends Omit<LowerOptions, 'baseDir' | 'load' | 'data'> {
  /** The file name shown in messages; `load` paths are relative to its folder. */
  readonly file?: string;
  /**
   * Values from JavaScript for the file's `let NAME = load("...")` declarations, by name: a
   * tensor, a number or nested arrays. The file is then not read; a declared shape must match.
   */
  readonly data?: DataValues;
  /** Where `load` reads files and the default memory budget (Node: the local disk; browser: none). */
  readonly host?: DslHost;
  /** The most memory the program's buffers may take (default: half of this machine's memory). */
  readonly maxMemoryBytes?: number;
  /** The compile budget: graph nodes the compiler may create (default MAX_GRAPH_NODES). */
  readonly maxGraphNodes?: number;
  /** How Hessian metrics are computed: 'auto' (dense up to 2048 parameters), 'dense' or 'iterative'. */
  readonly curvatureMethod?: CurvatureMethod;
  /**
   * Run the program's plans by one generated function each where that applies (the same values bit
   * for bit, fewer calls per step; dsl/src/lone-step.ts). Default: on, unless the environment
   * variable DESCENT_WHOLE_STEP is `off` or `0`.
   */
  readonly wholeStep?: boolean;
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
export function compileWith(host: DslHost, source: string, options: CompileOptions = {}): CompileResult {
  const file = options.file ?? '<input>';
  const reader = options.host ?? host;
  const budget = options.maxMemoryBytes ?? reader.defaultMemoryBytes();
  // no prototype: a name such as `constructor` or `__proto__` must not find Object's members
  const overrides: Record<string, number> = Object.assign(Object.create(null) as Record<string, number>, options.overrides ?? {});
  const parsed = parse(source, file);
  if (!parsed.ok) return { ok: false, diagnostics: parsed.diagnostics };
  const reporter = new Reporter(source, file);
  const bound = check(parsed.program, reporter, { overrides });
  const data = checkData(parsed.program, options.data ?? {}, reporter);
  if (!reporter.ok) return { ok: false, diagnostics: reporter.diagnostics };
  return withinBudgets(reporter, parsed.program, options.maxGraphNodes ?? MAX_GRAPH_NODES, () => {
    const lowered = lowerProgram(bound, reporter, {
      ...options, overrides, data, baseDir: dirname(file), maxMemoryBytes: budget, load: reader.load,
    });
    if (lowered === undefined) return { ok: false, diagnostics: reporter.diagnostics };
    return { ok: true, program: new Program(lowered, lowered.settings.seed, budget, options.curvatureMethod, false, options.wholeStep) };
  });
}

/**
 * Runs the lowering and planning in `body` under the compile budget of `maxNodes` graph nodes:
 * running out of it, or of memory for the plan, is an error at the objective.
 */
function withinBudgets(reporter: Reporter, program: ProgramAst, maxNodes: number, body: () => CompileResult): CompileResult {
  const at = program.statements.find((s) => s.kind === 'LossStmt') ?? { start: 0, end: 0 };
  try {
    return withNodeBudget(maxNodes, body);
  } catch (e) {
    if (e instanceof NodeBudgetError) budgetExceeded(reporter, e, at);
    else if (e instanceof MemoryLimitError) reporter.error(e.message, at);
    else throw e;
    return { ok: false, diagnostics: reporter.diagnostics };
  }
}

/** The folder part of a file name ('.' when it has none), with either separator. */
function dirname(file: string): string {
  const cut = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  if (cut < 0) return '.';
  return cut === 0 ? file.slice(0, 1) : file.slice(0, cut);
}

/** Compilation failed: `diagnostics` holds every error, `message` them formatted with the source. */
export class CompileError extends Error {
  override readonly name = 'CompileError';
  constructor(readonly diagnostics: readonly Diagnostic[], source: string) {
    super(formatDiagnostics(diagnostics, source));
  }
}

/**
 * `compileWith` that returns the program, its parameters initialized from the seed, or throws a
 * CompileError listing every error.
 */
export function compileOrThrow(host: DslHost, source: string, options: CompileOptions = {}): Program {
  const r = compileWith(host, source, options);
  if (!r.ok) throw new CompileError(r.diagnostics, source);
  r.program.initialize();
  return r.program;
}
