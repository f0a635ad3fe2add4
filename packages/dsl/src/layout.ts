// Layout pre-pass: blanks comments and turns continuation newlines into spaces, keeping every offset;
// a byte-order mark and CR or CRLF line ends are accepted.

/** Deepest bracket nesting the parser accepts; Ohm's recursive descent must not exhaust the stack. */
export const MAX_NESTING = 64;

export interface Layout {
  /** Same length as the source: comments and continuation newlines replaced by spaces. */
  cooked: string;
  /** Offset of the first bracket nested deeper than MAX_NESTING, if any. */
  tooDeep: number | null;
}

const OPEN = '([{';
const CLOSE = ')]}';
// a line ending in one of these continues on the next line
const TRAILING_OPS = new Set(['+', '-', '*', '/', '@', '^', '<', '>', '=', '!', ',', '~']);
// a line starting with one of these continues the previous line
const LEADING_OPS = new Set(['+', '-', '*', '/', '@', '^', '<', '>', '=', '!', ',', '~']);

const isBlank = (c: string): boolean => c === ' ' || c === '\t' || c === '\r';

interface Line {
  start: number; // offset of the first character
  end: number; // offset of the terminating '\n' (or source length)
  first: number; // offset of the first significant character, -1 when blank
  last: number; // offset of the last significant character, -1 when blank
  depth: number; // open-bracket depth at the end of the line
  inString: boolean; // the line ends inside an unterminated string
}

/**
 * A statement continues onto the next non-blank line when the line ends inside open brackets,
 * ends with a binary operator (or `,` `=` `~`), or the next line starts with a binary operator
 * or with `where`. Blank and comment-only lines between the two are joined as well.
 */
export function layout(source: string): Layout {
  const chars = source.split('');
  // a byte-order mark is a space; a carriage return not followed by a newline ends a line (old
  // Mac files), one followed by a newline is a space (Windows): offsets stay those of the file
  if (chars[0] === '\uFEFF') chars[0] = ' ';
  for (let i = 0; i < chars.length; i++) if (chars[i] === '\r' && chars[i + 1] !== '\n') chars[i] = '\n';
  const lines: Line[] = [];
  let depth = 0;
  let tooDeep: number | null = null;
  let inString = false;
  let line: Line = { start: 0, end: 0, first: -1, last: -1, depth: 0, inString: false };
  for (let i = 0; i <= chars.length; i++) {
    const c = i < chars.length ? (chars[i] as string) : '\n';
    if (c === '\n') {
      line.inString = inString;
      inString = false;
      line.end = i;
      line.depth = depth;
      lines.push(line);
      line = { start: i + 1, end: i + 1, first: -1, last: -1, depth: 0, inString: false };
      continue;
    }
    if (inString) {
      if (c === '\\' && i + 1 < chars.length && chars[i + 1] !== '\n') i++;
      else if (c === '"') inString = false;
      line.last = i;
      continue;
    }
    if (c === '#') {
      while (i < chars.length && chars[i] !== '\n') chars[i++] = ' ';
      i--;
      continue;
    }
    if (isBlank(c)) continue;
    if (line.first < 0) line.first = i;
    line.last = i;
    if (c === '"') inString = true;
    else if (OPEN.includes(c)) {
      depth++;
      if (depth > MAX_NESTING && tooDeep === null) tooDeep = i;
    } else if (CLOSE.includes(c)) depth = Math.max(0, depth - 1);
  }

  let prev: Line | null = null;
  for (const cur of lines) {
    if (cur.first < 0) continue;
    if (prev !== null && continues(prev, cur, chars)) {
      for (let k = prev.end; k < cur.first; k++) if (chars[k] === '\n') chars[k] = ' ';
    }
    prev = cur;
  }
  return { cooked: chars.join(''), tooDeep };
}

function continues(prev: Line, next: Line, chars: string[]): boolean {
  if (prev.inString) return false;
  if (prev.depth > 0) return true;
  if (TRAILING_OPS.has(chars[prev.last] ?? '')) return true;
  if (LEADING_OPS.has(chars[next.first] ?? '')) return true;
  const word = chars.slice(next.first, next.first + 6).join('');
  return /^where(?![A-Za-z0-9_])/.test(word);
}
