// The compile pipeline, top to bottom: parse → check → lower → program.
import { dirname } from 'node:path';
import type { Diagnostic } from './diagnostics.js';
import { Reporter } from './diagnostics.js';
import { lowerProgram, type LowerOptions } from './lower/statements.js';
import { parse } from './parse.js';
import { Program } from './program.js';

export interface CompileOptions extends Omit<LowerOptions, 'baseDir'> {
  /** The file name shown in messages; `load` paths are relative to its folder. */
  readonly file?: string;
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
  const lowered = lowerProgram(parsed.program, reporter, { ...options, baseDir: dirname(file) });
  if (lowered === undefined) return { ok: false, diagnostics: reporter.diagnostics };
  return { ok: true, program: new Program(lowered, lowered.settings.seed) };
}
