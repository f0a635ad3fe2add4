// Turns Ohm's rightmost-failure report into one short message at the right place.
import type { MatchResult } from 'ohm-js';
import type { Span } from './ast.js';
import { LineMap, nearestName, type Reporter } from './diagnostics.js';

/** Words a statement may start with (besides a function name). */
export const STATEMENT_KEYWORDS = [
  'dim', 'let', 'param', 'sample', 'expect', 'loss', 'maximize', 'metric', 'update', 'optimizer',
  'steps', 'seed', 'log', 'claim',
];

interface Failure {
  getText(): string;
  getType(): string;
  isFluffy(): boolean;
}

type TokenKind = 'eof' | 'eol' | 'word' | 'number' | 'string' | 'op' | 'illegal';
interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
}

const PUNCT = "+-*/^@'<>=!|()[]{},.~\"";
const OPERATORS = ['+-', '<=', '>=', '==', '!=', '+', '-', '*', '/', '^', '@', '<', '>', '=', '!', ',', '~', '(', '[', '{', '|'];
const PAIRS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const isWord = (c: string): boolean => /[A-Za-z0-9_]/.test(c);
const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r';

/** The token that starts at `pos` in the cooked text. */
function tokenAt(text: string, pos: number): Token {
  if (pos >= text.length) return { kind: 'eof', text: '', start: pos, end: pos };
  const c = text[pos] as string;
  if (c === '\n') return { kind: 'eol', text: '', start: pos, end: pos + 1 };
  let end = pos + 1;
  if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[pos + 1] ?? ''))) {
    while (end < text.length && /[0-9.eE]/.test(text[end] as string)) end++;
    return { kind: 'number', text: text.slice(pos, end), start: pos, end };
  }
  if (isWord(c)) {
    while (end < text.length && isWord(text[end] as string)) end++;
    return { kind: 'word', text: text.slice(pos, end), start: pos, end };
  }
  if (c === '"') {
    while (end < text.length && text[end] !== '"' && text[end] !== '\n') end++;
    return { kind: 'string', text: text.slice(pos, Math.min(end + 1, text.length)), start: pos, end: end + 1 };
  }
  if (PUNCT.includes(c)) {
    const two = text.slice(pos, pos + 2);
    const op = OPERATORS.includes(two) ? two : c;
    return { kind: 'op', text: op, start: pos, end: pos + op.length };
  }
  const cp = text.codePointAt(pos) ?? 0;
  const ch = String.fromCodePoint(cp);
  return { kind: 'illegal', text: ch, start: pos, end: pos + ch.length };
}

/** The last token before `pos` on the same statement line, or null. */
function tokenBefore(text: string, pos: number): Token | null {
  let end = pos;
  while (end > 0 && isBlank(text[end - 1])) end--;
  if (end === 0 || text[end - 1] === '\n') return null;
  let start = end - 1;
  const c = text[start] as string;
  if (isWord(c)) {
    while (start > 0 && isWord(text[start - 1] as string)) start--;
    return { kind: 'word', text: text.slice(start, end), start, end };
  }
  const two = text.slice(end - 2, end);
  if (end >= 2 && OPERATORS.includes(two)) start = end - 2;
  return { kind: 'op', text: text.slice(start, end), start, end };
}

const show = (t: Token): string => {
  if (t.kind === 'eof') return 'the end of the file';
  if (t.kind === 'eol') return 'the end of the line';
  return `\`${t.text.length > 20 ? `${t.text.slice(0, 20)}…` : t.text}\``;
};

function charName(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0)) return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return `\`${ch}\``;
}

/** Brackets opened and not closed between the start of the statement and `pos`. */
function openBrackets(text: string, from: number, pos: number): Array<{ ch: string; at: number }> {
  const stack: Array<{ ch: string; at: number }> = [];
  let inString = false;
  for (let i = from; i < pos; i++) {
    const c = text[i] as string;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c in PAIRS) stack.push({ ch: c, at: i });
    else if (c === ')' || c === ']' || c === '}') stack.pop();
  }
  return stack;
}

function describe(f: Failure): string {
  return f.getType() === 'string' ? `\`${f.getText()}\`` : f.getText();
}

/** Records one friendly diagnostic for a failed match of the cooked text of `report.source`. */
export function reportSyntaxError(match: MatchResult, cooked: string, report: Reporter): void {
  const failed = match as unknown as { getRightmostFailurePosition(): number; getRightmostFailures(): Failure[] };
  const pos = failed.getRightmostFailurePosition();
  const failures = failed.getRightmostFailures().filter((f) => !f.isFluffy());
  const strings = new Set(failures.filter((f) => f.getType() === 'string').map((f) => f.getText()));
  const descriptions = new Set(failures.filter((f) => f.getType() === 'description').map((f) => f.getText()));
  const found = tokenAt(cooked, pos);
  const prev = tokenBefore(cooked, pos);
  const lines = new LineMap(report.source);
  const at = (offset: number): string => {
    const { line, column } = lines.locate(offset);
    return `${line}:${column}`;
  };
  const here: Span = { start: pos, end: Math.max(found.end, pos + (found.kind === 'eof' ? 0 : 1)) };
  if (found.kind === 'eol' || found.kind === 'eof') here.end = pos;
  const stmtStart = cooked.lastIndexOf('\n', pos - 1) + 1;
  let first = stmtStart;
  while (isBlank(cooked[first])) first++;

  if (found.kind === 'string' && (found.text.length < 2 || !found.text.endsWith('"'))) {
    report.error('unterminated string', here, 'close it with `"` on the same line');
    return;
  }
  if (found.kind === 'illegal') {
    const ascii = (found.text.codePointAt(0) ?? 0) < 0x80;
    report.error(`unexpected character ${charName(found.text)}`, here,
      ascii ? undefined : 'names and operators are plain ASCII; other characters may only appear in comments and strings');
    return;
  }

  // inside a string that never closes
  const quotes = countQuotes(cooked, first, pos);
  if (quotes.open !== null) {
    report.error('unterminated string', { start: quotes.open, end: pos }, 'close it with `"` on the same line');
    return;
  }

  // habits from numpy: `x ** 2` and `A.T`
  const power = cooked.slice(pos - 1, pos + 1) === '**' ? pos - 1 : cooked.slice(pos, pos + 2) === '**' ? pos : -1;
  if (power >= 0) {
    report.error('`**` is not an operator here', { start: power, end: power + 2 }, 'write powers with `^`: `x^2`');
    return;
  }
  if (cooked[pos] === '.' && /^\.T(?![A-Za-z0-9_])/.test(cooked.slice(pos))) {
    report.error('`.T` is not the transpose here', { start: pos, end: pos + 2 }, "write the transpose with a quote: `A'`");
    return;
  }
  if (cooked[pos - 1] === '+' && cooked[pos] === '-') {
    report.error('`+-` (a tolerance) may only follow the value of a claim', { start: pos - 1, end: pos + 1 }, 'for a sum with a negative term write `a + -b`');
    return;
  }
  const reduction = /^(sum|mean|prod|max|min|logsumexp|softmax)_/;
  if (found.kind === 'word' && reduction.test(found.text) && /_$/.test(found.text)) {
    const braced = cooked[found.end] === '{';
    report.error(braced ? `malformed index list after \`${found.text}\`` : `\`${found.text}\` needs an index variable`,
      here, `write \`${found.text}i\` or \`${found.text}{i,j}\``);
    return;
  }
  if (found.kind === 'word' && prev !== null && prev.end === pos && /^[0-9.]/.test(prev.text)) {
    report.error(`unexpected \`${found.text}\` right after the number \`${prev.text}\``, here,
      /^[eE]/.test(found.text) ? 'an exponent needs digits, as in `1e-7`' : `write the product with \`*\`: \`${prev.text} * ${found.text}\``);
    return;
  }
  if (prev !== null && prev.kind === 'word' && STATEMENT_KEYWORDS.includes(prev.text) && prev.start === first && descriptions.has('a name')) {
    report.error(`expected a name after \`${prev.text}\`, found ${show(found)}`, here);
    return;
  }
  const operandBefore = prev !== null && ((prev.kind === 'op' && !")]}'".includes(prev.text)) || reduction.test(prev.text));
  if (descriptions.has('an expression') && operandBefore) {
    report.error(`expected an expression after \`${(prev as Token).text}\`, found ${show(found)}`, here);
    return;
  }

  const open = openBrackets(cooked, first, pos);
  const top = open[open.length - 1];
  const isCloser = found.kind === 'op' && ')]}'.includes(found.text);
  if (isCloser && top === undefined) {
    report.error(`unmatched \`${found.text}\``, here);
    return;
  }
  if (top !== undefined) {
    const closer = PAIRS[top.ch] as string;
    const joined = pos > 0 && lines.locate(pos).line > lines.locate(top.at).line && startsLine(report.source, pos);
    if (joined || (strings.has(closer) && (isCloser || found.kind === 'eol' || found.kind === 'eof'))) {
      const msg = isCloser && !joined
        ? `expected \`${closer}\` to close \`${top.ch}\` opened at ${at(top.at)}, found ${show(found)}`
        : `unclosed \`${top.ch}\` opened at ${at(top.at)}`;
      report.error(msg, here);
      return;
    }
  }

  if (pos === first || (prev !== null && prev.start === first && prev.kind === 'word' && strings.has('(') && strings.size === 1)) {
    const word = pos === first ? found : (prev as Token);
    const hint = word.kind === 'word' ? nearestName(word.text, STATEMENT_KEYWORDS) : undefined;
    report.error(word.kind === 'word' ? `unknown statement \`${word.text}\`` : `expected a statement, found ${show(word)}`,
      { start: word.start, end: word.end },
      hint !== undefined ? `did you mean \`${hint}\`?` : `a statement starts with ${STATEMENT_KEYWORDS.join(', ')}, or defines a function \`f(t) = ...\``);
    return;
  }

  if ((descriptions.has('a newline') || descriptions.has('end of input')) && found.kind !== 'eol' && found.kind !== 'eof') {
    report.error(`unexpected ${show(found)}`, here, joinedBecause(report.source, cooked, first, pos)
      ?? 'expected an operator or the end of the statement (statements are separated by newlines)');
    return;
  }

  const wanted = [...descriptions].filter((d) => d !== 'a newline' && d !== 'end of input' && !d.startsWith('not '))
    .concat(failures.filter((f) => f.getType() === 'string').map(describe));
  const unique = [...new Set(wanted)].slice(0, 6);
  const list = unique.length <= 1 ? (unique[0] ?? 'something else') : `${unique.slice(0, -1).join(', ')} or ${unique[unique.length - 1] ?? ''}`;
  report.error(`expected ${list}, found ${show(found)}`, here);
}

/** Position of an unclosed `"` on the statement line before `pos`, if any. */
function countQuotes(text: string, from: number, pos: number): { open: number | null } {
  let open: number | null = null;
  for (let i = from; i < pos; i++) {
    const c = text[i];
    if (open !== null && c === '\\') i++;
    else if (c === '"') open = open === null ? i : null;
    else if (c === '\n') open = null;
  }
  return { open };
}

/** Whether `pos` is the first non-blank character of its physical line in the original source. */
function startsLine(source: string, pos: number): boolean {
  let i = pos;
  while (i > 0 && isBlank(source[i - 1])) i--;
  return i === 0 || source[i - 1] === '\n';
}

/** When `pos` sits on a line that was joined to the statement above, a hint saying why. */
function joinedBecause(source: string, cooked: string, first: number, pos: number): string | undefined {
  const lineStart = source.lastIndexOf('\n', pos - 1) + 1;
  if (lineStart <= first) return undefined;
  let i = lineStart - 1;
  while (i > first && /\s/.test(cooked[i] ?? '')) i--;
  const last = cooked[i] ?? '';
  if (!'+-*/@^<>=!,~'.includes(last) || last === '') return undefined;
  return `this line continues the statement above, which ends with \`${last}\``;
}
