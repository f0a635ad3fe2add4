// The compile pipeline, top to bottom: parse → check → lower → program.
import { totalmem } from 'node:os';
import { dirname } from 'node:path';
import type { Diagnostic } from './diagnostics.js';
import { check } from './check.js';
import { Reporter } from './diagnostics.js';
import { lowerProgram, type LowerOptions } from './lower/statements.js';
import { parse } from './parse.js';
import type { CurvatureMethod } from './curvature.js';
import { MemoryLimitError, Program } from './program.js';

export interface CompileOptions extends Omit<LowerOptions, 'baseDir'> {
  /** The file name shown in messages; `load` paths are relative to its folder. */
  readonly file?: string;
  /** The most memory the program's buffers may take (default: half of this machine's memory). */
  readonly maxMemoryBytes?: number;
  /** How Hessian metrics are computed: 'auto' (dense up to 2048 parameters), 'dense' or 'iterative'. */
  readonly curvatureMethod?: CurvatureMethod;
}

/** Half the machine's memory: the default budget of one program. */
export function defaultMemoryBudget(): number {
  return Math.floor(totalmem() / 2);
}

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
  const lowered = lowerProgram(parsed.program, reporter, { ...options, overrides, baseDir: dirname(file), maxMemoryBytes: budget });
  if (lowered === undefined) return { ok: false, diagnostics: reporter.diagnostics };
  try {
    return { ok: true, program: new Program(lowered, lowered.settings.seed, budget, options.curvatureMethod) };
  } catch (e) {
    if (!(e instanceof MemoryLimitError)) throw e;
    const loss = parsed.program.statements.find((s) => s.kind === 'LossStmt');
    reporter.error(e.message, loss ?? { start: 0, end: 0 });
    return { ok: false, diagnostics: reporter.diagnostics };
  }
}
