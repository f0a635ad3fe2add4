// Diagnostics: located error records, the caret formatter, "did you mean" and the one error gate.
import type { Span, Spanned } from './ast.js';

/** One error, located in a file. `line` and `column` are 1-based (columns count UTF-16 units). */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  message: string;
  /** Extra advice printed on its own line as `hint: ...`, e.g. "did you mean `mu`?". */
  hint?: string;
  span: Span;
  /**
   * Set on an error in an override given to the compiler (`--set name=value`) rather than in the
   * file: it has no place of its own (it sits at the file's start), and a command line reports it as its own.
   */
  override?: true;
}

/** Maps offsets of one source text to 1-based line and column. */
export class LineMap {
  private readonly starts: number[];

  /** Lines end at `\n`, `\r\n` or a lone `\r`; a byte-order mark is not part of the first line. */
  constructor(readonly source: string) {
    this.starts = [source.charCodeAt(0) === 0xfeff ? 1 : 0];
    for (let i = 0; i < source.length; i++) {
      const c = source.charCodeAt(i);
      if (c === 10 || (c === 13 && source.charCodeAt(i + 1) !== 10)) this.starts.push(i + 1);
    }
  }

  /** 1-based line and column of `offset` (clamped into the text). */
  locate(offset: number): { line: number; column: number } {
    const at = Math.max(0, Math.min(offset, this.source.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: Math.max(1, at - (this.starts[lo] ?? 0) + 1) };
  }

  /** The text of 1-based `line`, without its newline (and without a trailing `\r`). */
  lineText(line: number): string {
    const start = this.starts[line - 1] ?? this.source.length;
    const next = this.starts[line];
    const end = next === undefined ? this.source.length : next - 1;
    return this.source.slice(start, Math.max(start, end)).replace(/\r$/, '');
  }
}

const spanOf = (at: Spanned): Span => ('span' in at ? at.span : at);

/**
 * The error gate, in the style of carlos's `must(cond, message, at)`: every syntax and
 * semantic error of a file goes through one `Reporter`, which attaches file, line and column.
 * It collects instead of throwing, so a stage reports all it finds and returns normally.
 *
 * @example
 * const r = new Reporter('mu + 1', 'a.loss');
 * r.must(false, 'unknown name `mux`', { start: 0, end: 2 }, didYouMean('mux', ['mu']));
 * formatDiagnostics(r.diagnostics, 'mu + 1');   // "a.loss:1:1: error: unknown name `mux`..."
 */
export class Reporter {
  readonly diagnostics: Diagnostic[] = [];
  private readonly lines: LineMap;

  constructor(readonly source: string, readonly file: string = '<input>') {
    this.lines = new LineMap(source);
  }

  /** Records `message` at `at` unless `condition` holds; returns whether it held. */
  must(condition: unknown, message: string, at: Spanned, hint?: string): boolean {
    if (condition) return true;
    this.diagnostics.push(this.make(message, at, hint));
    return false;
  }

  /** Records an error unconditionally (`must(false, ...)`). */
  error(message: string, at: Spanned, hint?: string): void {
    this.must(false, message, at, hint);
  }

  /** Records an error in an override (`--set name=value`): not in the file, so placed at its start. */
  overrideError(message: string, hint?: string): void {
    const d = this.make(message, { start: 0, end: 0 }, hint);
    d.override = true;
    this.diagnostics.push(d);
  }

  /** Builds a located diagnostic without recording it. */
  make(message: string, at: Spanned, hint?: string): Diagnostic {
    const raw = spanOf(at);
    const clamp = (n: number): number => Math.max(0, Math.min(Number.isFinite(n) ? n : 0, this.source.length));
    const span = { start: clamp(raw.start), end: Math.max(clamp(raw.start), clamp(raw.end)) };
    const { line, column } = this.lines.locate(span.start);
    const d: Diagnostic = { file: this.file, line, column, message, span };
    if (hint !== undefined) d.hint = hint;
    return d;
  }

  get ok(): boolean {
    return this.diagnostics.length === 0;
  }
}

/**
 * Renders one diagnostic as
 * ```
 * file:line:col: error: message
 * <the source line>
 *      ^~~~
 * hint: did you mean `mu`?
 * ```
 * The carets underline the span on its first line (at least one `^`); tabs are kept so the
 * carets stay aligned.
 */
export function formatDiagnostic(d: Diagnostic, source: string): string {
  const lines = new LineMap(source);
  const text = lines.lineText(d.line);
  const startCol = Math.max(1, Math.min(d.column, text.length + 1));
  const lineEnd = Math.max(startCol, text.length + 1);
  const spanLen = Math.max(1, Math.min(d.span.end - d.span.start, lineEnd - startCol));
  const pad = text.slice(0, startCol - 1).replace(/[^\t]/g, ' ');
  const out = [`${d.file}:${d.line}:${d.column}: error: ${d.message}`, text, `${pad}^${'~'.repeat(spanLen - 1)}`];
  if (d.hint !== undefined) out.push(`hint: ${d.hint}`);
  return out.join('\n');
}

/** All diagnostics, formatted and separated by blank lines. */
export function formatDiagnostics(ds: readonly Diagnostic[], source: string): string {
  return ds.map((d) => formatDiagnostic(d, source)).join('\n\n');
}

/** Optimal-string-alignment Damerau–Levenshtein distance (adjacent transpositions cost 1). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = new Array<number>(n + 1).fill(0);
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, (prev2[j - 2] ?? 0) + 1);
      cur[j] = v;
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[n] ?? 0;
}

/** How many edits a name of this length may be from a suggestion: 0 for 1 char, then 1, 2, 3. */
function threshold(length: number): number {
  if (length <= 1) return 0;
  if (length <= 4) return 1;
  if (length <= 8) return 2;
  return 3;
}

/**
 * The candidate closest to `name` within a length-dependent edit distance, or undefined.
 * Ties go to the earlier candidate; a case-only difference always qualifies.
 */
export function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const limit = threshold(name.length);
  for (const c of candidates) {
    if (c === name) continue;
    const d = c.toLowerCase() === name.toLowerCase() ? 0.5 : editDistance(name, c);
    if (d <= Math.max(limit, 0.5) && d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** A "did you mean `x`?" hint for `name`, or undefined when nothing is close. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const near = nearestName(name, candidates);
  return near === undefined ? undefined : `did you mean \`${near}\`?`;
}
