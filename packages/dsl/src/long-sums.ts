// Long flat sums parsed a term at a time. Ohm memoizes every rule at every position of one match;
// for a 12,000-term statement that table (and the collector walking it again and again) costs
// seconds, while 12,000 small matches of the grammar's own `Mul` rule, each dropped when done, do
// not. A linear scan proposes the sums; the grammar decides: any doubt falls back to one plain match.
import type { Grammar, MatchResult, Semantics } from 'ohm-js';
import type { BinaryOp, Expr, ProgramAst } from './ast.js';
import { Reporter } from './diagnostics.js';
import { withContext, type Placeholder } from './semantics.js';
import { STATEMENT_KEYWORDS } from './syntax-errors.js';

/**
 * Parses the cooked text with every flat sum of at least `minTerms` terms matched a term at a
 * time, or returns null when there is none or anything is in doubt (a term that is not a `Mul`, a
 * syntax or semantic error anywhere, a stand-in the grammar read as something other than an
 * operand): the caller then matches the whole text at once, which gives the exact diagnostics.
 *
 * Why the result is the plain parse's: each run `T0 op1 T1 … Tk` starts where an expression
 * starts (after `=`, `,`, `(`, a comparison, …; never after an operator, a sign or a reduction)
 * and ends before a character that cannot continue an expression at its level. Every `Ti`
 * matches `Mul` on its own, and what follows it (` + …`, ` - …`, or that end) cannot extend a
 * `Mul` (no rule continues a product with a sign), so in place `Mul` matches exactly `Ti`, and
 * `Add = Mul (addOp Mul)*` matches exactly the run. The run is then replaced by a short name, a
 * stand-in, which the grammar must read as a whole operand (`name`, then nothing binding tighter,
 * since the same characters follow): the semantics substitutes the run's tree, folded left as
 * `Add` folds. Spans are mapped back through the stand-ins, so every position is the file's.
 */
export function parseWithLongSums(cooked: string, grammar: Grammar, semantics: Semantics, minTerms: number): ProgramAst | null {
  const runs = findLongSums(cooked, minTerms);
  if (runs.length === 0) return null;
  const scratch = new Reporter(cooked);
  const stands = new StandIns(cooked);
  const placeholders = new Map<number, Placeholder>();
  const tree = (m: MatchResult, toCooked: (at: number) => number): unknown =>
    withContext(cooked, scratch, () => semantics(m)['ast'](), { toCooked, placeholders });
  for (const run of runs) { // innermost first: an outer run's terms hold inner stand-ins
    const terms: Expr[] = [];
    for (const [start, end] of run.terms) {
      const view = stands.view(start, end);
      const m = grammar.match(view.text, startRule(view.text));
      if (m.failed()) break;
      terms.push(tree(m, view.toCooked) as Expr);
    }
    if (terms.length < run.terms.length || !scratch.ok) return null;
    let sum = terms[0] as Expr;
    for (let k = 1; k < terms.length; k++) {
      const right = terms[k] as Expr;
      const at = run.ops[k - 1] as number;
      sum = { kind: 'Binary', op: cooked[at] as BinaryOp, left: sum, right, opSpan: { start: at, end: at + 1 }, span: { start: sum.span.start, end: right.span.end } };
    }
    placeholders.set(run.start, { end: run.end, expr: sum, used: false });
    stands.add(run.start, run.end);
  }
  const whole = stands.view(0, cooked.length);
  const match = grammar.match(whole.text);
  if (match.failed()) return null;
  const program = tree(match, whole.toCooked) as ProgramAst;
  if (!scratch.ok || [...placeholders.values()].some((p) => !p.used)) return null;
  return program;
}

/**
 * The rule to match a term with: a lone name or number is exactly what `Mul` reduces to there
 * (no sign, call, index or operator around it), and matching the small rule skips the two
 * dozen alternatives `Mul` tries on the way down.
 */
function startRule(term: string): 'name' | 'number' | 'Mul' {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(term)) return 'name';
  if (/^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(term)) return 'number';
  return 'Mul';
}

/** The cooked text with sums replaced by stand-in names (`_0`, `_1`, …), and the way back. */
class StandIns {
  /** Replaced ranges of the cooked text, in order, none inside another. */
  private regions: Array<{ start: number; end: number; name: string }> = [];
  private count = 0;

  constructor(private readonly cooked: string) {}

  /** `[start, end)` replaces the stand-ins inside it. */
  add(start: number, end: number): void {
    const kept = this.regions.filter((r) => r.end <= start || r.start >= end);
    kept.push({ start, end, name: `_${this.count++}` });
    this.regions = kept.sort((a, b) => a.start - b.start);
  }

  /** The text of cooked `[start, end)` with its stand-ins, and a map from its offsets to cooked ones. */
  view(start: number, end: number): { text: string; toCooked: (at: number) => number } {
    const inside = this.regions.filter((r) => r.start >= start && r.end <= end);
    if (inside.length === 0) return { text: this.cooked.slice(start, end), toCooked: (at) => at + start };
    // pieces: [offset in the view, offset in cooked, cooked end if a stand-in]
    const pieces: Array<[number, number, number]> = [];
    let text = '';
    let from = start;
    for (const r of inside) {
      pieces.push([text.length, from, -1]);
      text += this.cooked.slice(from, r.start);
      pieces.push([text.length, r.start, r.end]);
      text += r.name;
      from = r.end;
    }
    pieces.push([text.length, from, -1]);
    text += this.cooked.slice(from, end);
    const toCooked = (at: number): number => {
      let lo = 0;
      let hi = pieces.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((pieces[mid] as [number, number, number])[0] <= at) lo = mid;
        else hi = mid - 1;
      }
      const [v, c, standEnd] = pieces[lo] as [number, number, number];
      return standEnd < 0 ? c + (at - v) : at === v ? c : standEnd;
    };
    return { text, toCooked };
  }
}

/** `T0 op1 T1 … opk Tk` at one bracket level: every `Ti` a would-be `Mul`, every op a binary `+`/`-`. */
export interface SumRun {
  /** Offset of the first term's first character. */
  start: number;
  /** Offset just past the last term. */
  end: number;
  /** Each term's `[start, end)`, trimmed. */
  terms: Array<[number, number]>;
  /** Each operator's offset (`terms.length - 1` of them); the character there is `+` or `-`. */
  ops: number[];
}

interface Frame {
  /** The character that closes this level: `)`, `]`, `}`, `|`, or '' for the statement itself. */
  close: string;
  /** After an operator, an opening bracket or a stop: an operand comes next (so `-` is a prefix). */
  expectOperand: boolean;
  termStart: number;
  lastEnd: number;
  terms: Array<[number, number]>;
  ops: number[];
}

const REDUCER = /^(sum|mean|prod|max|min|logsumexp|softmax)_/;
const KEYWORDS = new Set(STATEMENT_KEYWORDS);
const isIdentStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isIdentRest = (c: number): boolean => isIdentStart(c) || isDigit(c);
const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 13;

const frame = (close: string): Frame => ({ close, expectOperand: true, termStart: -1, lastEnd: -1, terms: [], ops: [] });

/**
 * Every flat sum of at least `minTerms` terms in the cooked text (comments blanked, one statement
 * per line), innermost first. Inside brackets a sum is found at its own level; a term holds its
 * brackets, calls, indices, prefix signs, reductions and higher-precedence operators whole.
 * Anything the scan does not understand ends the run it was in; the grammar checks the rest.
 */
export function findLongSums(text: string, minTerms: number): SumRun[] {
  const runs: SumRun[] = [];
  let stack: Frame[] = [frame('')];
  let statementStart = true;

  const top = (): Frame => stack[stack.length - 1] as Frame;
  /** Ends the run in progress at this level (a stop token, a closing bracket or the line's end). */
  const flush = (f: Frame): void => {
    if (f.termStart >= 0) f.terms.push([f.termStart, f.lastEnd]);
    if (f.terms.length >= minTerms) {
      runs.push({ start: (f.terms[0] as [number, number])[0], end: f.lastEnd, terms: f.terms, ops: f.ops });
    }
    f.terms = [];
    f.ops = [];
    f.termStart = -1;
    f.expectOperand = true;
  };
  /** An operand token `[at, end)`: starts a term if none is open, and ends with it for now. */
  const operand = (at: number, end: number): void => {
    const f = top();
    if (!f.expectOperand) flush(f); // two operands side by side: not a sum the scan understands
    if (f.termStart < 0) f.termStart = at;
    f.lastEnd = end;
    f.expectOperand = false;
  };
  /** A prefix or a binary operator of higher precedence than `+`: part of the term. */
  const inner = (at: number, end: number): void => {
    const f = top();
    if (f.termStart < 0) f.termStart = at;
    f.lastEnd = end;
    f.expectOperand = true;
  };
  const stop = (): void => flush(top());

  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isBlank(c)) {
      i++;
      continue;
    }
    if (c === 10) {
      for (let k = stack.length - 1; k >= 0; k--) flush(stack[k] as Frame);
      stack = [frame('')];
      statementStart = true;
      i++;
      continue;
    }
    const atStatementStart = statementStart;
    statementStart = false;
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentRest(text.charCodeAt(j))) j++;
      const word = text.slice(i, j);
      if (atStatementStart && KEYWORDS.has(word)) stop();
      else if (word === 'where') {
        let k = j;
        while (k < n && isBlank(text.charCodeAt(k))) k++;
        if (text[k] === '(') operand(i, j); // `where(c, a, b)` is a call
        else stop();
      } else if (REDUCER.test(word) && top().expectOperand) {
        // `sum_i body`, `sum_{i, j} body`: a prefix binding a product
        let end = j;
        if (word.endsWith('_') && text[j] === '{') {
          const close = text.indexOf('}', j);
          const line = text.indexOf('\n', j);
          end = close < 0 || (line >= 0 && line < close) ? j : close + 1;
        }
        inner(i, end);
        j = end;
      } else operand(i, j);
      i = j;
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      const start = i;
      i = numberEnd(text, i);
      operand(start, i);
      continue;
    }
    const ch = text[i] as string;
    if (ch === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"' && text[j] !== '\n') j += text[j] === '\\' && text[j + 1] !== '\n' ? 2 : 1;
      const end = text[j] === '"' ? j + 1 : j;
      operand(i, end);
      i = end;
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{') {
      const f = top();
      if (f.termStart < 0) f.termStart = i;
      stack.push(frame(ch === '(' ? ')' : ch === '[' ? ']' : '}'));
      i++;
      continue;
    }
    if (ch === ')' || ch === ']' || ch === '}' || (ch === '|' && !top().expectOperand && top().close === '|')) {
      const f = top();
      flush(f);
      if (stack.length === 1 || f.close !== ch) {
        // unbalanced: give up on every level of this statement
        for (let k = stack.length - 1; k >= 0; k--) flush(stack[k] as Frame);
        stack = [frame('')];
      } else {
        stack.pop();
        const outer = top();
        outer.lastEnd = i + 1;
        outer.expectOperand = false;
      }
      i++;
      continue;
    }
    if (ch === '|') {
      if (top().expectOperand) {
        const f = top();
        if (f.termStart < 0) f.termStart = i;
        stack.push(frame('|'));
      } else stop();
      i++;
      continue;
    }
    if (ch === '+' || ch === '-') {
      const f = top();
      if (f.expectOperand) inner(i, i + 1); // a sign
      else if (ch === '+' && text[i + 1] === '-') {
        stop(); // `+-`, a claim's tolerance
        i++;
      } else {
        f.terms.push([f.termStart, f.lastEnd]);
        f.ops.push(i);
        f.termStart = -1;
        f.expectOperand = true;
      }
      i++;
      continue;
    }
    if (ch === '*' || ch === '/' || ch === '@' || ch === '^') {
      inner(i, i + 1);
      i++;
      continue;
    }
    if (ch === "'") {
      const f = top();
      f.lastEnd = i + 1;
      f.expectOperand = false;
      i++;
      continue;
    }
    // `=`, `,`, `:`, `<`, `>`, `!`, `~` and anything else end the run at this level
    stop();
    i++;
  }
  for (let k = stack.length - 1; k >= 0; k--) flush(stack[k] as Frame);
  return runs;
}

/** The end of the number starting at `i`, as the grammar's `number` rule reads it. */
function numberEnd(text: string, i: number): number {
  const n = text.length;
  let j = i;
  while (j < n && isDigit(text.charCodeAt(j))) j++;
  if (text[j] === '.') {
    j++;
    while (j < n && isDigit(text.charCodeAt(j))) j++;
  }
  if (text[j] === 'e' || text[j] === 'E') {
    let k = j + 1;
    if (text[k] === '+' || text[k] === '-') k++;
    if (isDigit(text.charCodeAt(k))) {
      while (k < n && isDigit(text.charCodeAt(k))) k++;
      j = k;
    }
  }
  return j;
}

