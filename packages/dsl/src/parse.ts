// The parser API: source text → typed AST or located diagnostics; never throws, never hangs.
import * as ohm from 'ohm-js';
import type { ProgramAst } from './ast.js';
import { Reporter, type Diagnostic } from './diagnostics.js';
import { loadGrammar } from './grammar-recipe.js';
import { layout } from './layout.js';
import { parseWithLongSums } from './long-sums.js';
import { createSemantics, withContext } from './semantics.js';
import { reportSyntaxError } from './syntax-errors.js';

/** Largest source accepted, in characters (a `.loss` file is a page, not a data set). */
export const MAX_SOURCE_LENGTH = 50_000;

/**
 * Terms from which a flat sum is matched a term at a time (long-sums.ts): the same tree and the same
 * errors, without Ohm's whole-statement memo table.
 */
export const LONG_SUM_TERMS = 32;

export interface ParseOptions {
  /** Terms from which a flat sum is matched a term at a time (default LONG_SUM_TERMS; 0: never). */
  readonly longSumTerms?: number;
}

export type ParseResult = { ok: true; program: ProgramAst } | { ok: false; diagnostics: Diagnostic[] };

let loaded: { grammar: ohm.Grammar; semantics: ohm.Semantics } | null = null;

/** The Descent grammar, read once from grammar/descent.ohm (next to src/ and dist/). */
export function descentGrammar(): ohm.Grammar {
  return load().grammar;
}

function load(): { grammar: ohm.Grammar; semantics: ohm.Semantics } {
  if (loaded === null) {
    const grammar = loadGrammar();
    loaded = { grammar, semantics: createSemantics(grammar) };
  }
  return loaded;
}

/**
 * Parses a `.loss` file.
 *
 * @example
 * const r = parse('dim d = 5\nloss = 1', 'a.loss');
 * if (r.ok) r.program.statements[0]?.kind;          // 'DimStmt'
 * else console.error(formatDiagnostics(r.diagnostics, source));
 */
export function parse(source: string, file = '<input>', options: ParseOptions = {}): ParseResult {
  const text = typeof source === 'string' ? source : '';
  const report = new Reporter(text, file);
  try {
    if (typeof source !== 'string') {
      report.error('source must be a string', { start: 0, end: 0 });
    } else if (text.length > MAX_SOURCE_LENGTH) {
      report.error(`file too large (${text.length} characters; the limit is ${MAX_SOURCE_LENGTH})`, { start: 0, end: 0 });
    } else {
      const program = parseChecked(text, file, report, options.longSumTerms ?? LONG_SUM_TERMS);
      if (program !== null && report.ok) return { ok: true, program };
    }
  } catch (e) {
    if (e instanceof RangeError) {
      report.error('expression nested too deeply to parse', { start: 0, end: 0 }, 'split it with `where` or `let`');
    } else {
      report.error(`internal parser error: ${e instanceof Error ? e.message : String(e)}`, { start: 0, end: 0 });
    }
  }
  if (report.ok) report.error('parse failed', { start: 0, end: 0 });
  return { ok: false, diagnostics: report.diagnostics };
}

function parseChecked(text: string, file: string, report: Reporter, longSumTerms: number): ProgramAst | null {
  const { cooked, tooDeep } = layout(text);
  if (tooDeep !== null) {
    report.error('brackets nested too deeply', { start: tooDeep, end: tooDeep + 1 }, 'split the expression with `where` or `let`');
    return null;
  }
  const { grammar, semantics } = load();
  const fast = longSumTerms > 0 ? parseWithLongSums(cooked, grammar, semantics, longSumTerms) : null;
  if (fast !== null) return { ...fast, file, source: text };
  const match = grammar.match(cooked);
  if (match.failed()) {
    reportSyntaxError(match, cooked, report);
    return null;
  }
  const program = withContext(cooked, report, () => semantics(match)['ast']() as ProgramAst);
  return { ...program, file, source: text };
}
