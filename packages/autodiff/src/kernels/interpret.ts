// A small interpreter for the kernel expressions the compiler generates, for runtimes that forbid `new Function`.
import { scalarLib } from './scalar-lib.js';

/**
 * The language of kernel sources (built only from primitives' `scalarExpr` and the reduction
 * folds, never from user text): number literals, `Infinity`, `NaN`, variables, `Math.*` and
 * `lib.*` calls and constants, unary `- + !`, binary `* / % + -`, comparisons, `=== !== == !=`,
 * `&& ||`, `?:`, and statements `const name = expr;`. Expressions become closures over a
 * Float64Array of variable slots. Every operation is JavaScript's own on the same doubles in the
 * same order, so results are bit-identical to the generated code; a comparison's boolean is
 * stored as 1 or 0, which is what the sources do with it anyway (`+(a > b)`).
 */
export type Eval = (slots: Float64Array) => number;

/** Variable names and their slots, declared before use. */
export class Slots {
  private readonly names = new Map<string, number>();

  declare(name: string): number {
    const known = this.names.get(name);
    if (known !== undefined) return known;
    const k = this.names.size;
    this.names.set(name, k);
    return k;
  }

  slotOf(name: string): number {
    const k = this.names.get(name);
    if (k === undefined) throw new Error(`kernel interpreter: \`${name}\` is read before it is defined`);
    return k;
  }

  get size(): number {
    return this.names.size;
  }
}

type Token = { kind: 'num'; value: number } | { kind: 'name'; text: string } | { kind: 'op'; text: string };

const OPS = ['===', '!==', '==', '!=', '<=', '>=', '&&', '||', '<', '>', '+', '-', '*', '/', '%', '!', '?', ':', '(', ')', ',', ';', '='];

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    const num = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i, i + 40));
    if (num) {
      out.push({ kind: 'num', value: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*/.exec(src.slice(i, i + 80));
    if (name) {
      out.push({ kind: 'name', text: name[0] });
      i += name[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op === undefined) throw new Error(`kernel interpreter: unexpected ${JSON.stringify(c)} in ${JSON.stringify(src.slice(0, 120))}`);
    out.push({ kind: 'op', text: op });
    i += op.length;
  }
  return out;
}

type Fn = (...args: number[]) => number;

/** `Math.x` and `lib.x`: a function or a constant. */
function member(path: string): Fn | number {
  const [root, key, ...rest] = path.split('.');
  const table: Record<string, unknown> | undefined =
    root === 'Math' ? (Math as unknown as Record<string, unknown>) : root === 'lib' ? (scalarLib as unknown as Record<string, unknown>) : undefined;
  const v = table !== undefined && key !== undefined && rest.length === 0 ? table[key] : undefined;
  if (typeof v === 'function' || typeof v === 'number') return v as Fn | number;
  throw new Error(`kernel interpreter: unknown name \`${path}\``);
}

const BINARY: Readonly<Record<string, number>> = {
  '||': 1, '&&': 2, '===': 3, '!==': 3, '==': 3, '!=': 3, '<': 4, '>': 4, '<=': 4, '>=': 4, '+': 5, '-': 5, '*': 6, '/': 6, '%': 6,
};

/** What an operand is, for specializing the common arithmetic on variables and literals (fewer closure calls). */
type Leaf = { readonly slot: number } | { readonly value: number } | undefined;
const leaves = new WeakMap<Eval, Leaf>();

function arithmetic(op: string, a: Eval, b: Eval): Eval | undefined {
  const la = leaves.get(a);
  const lb = leaves.get(b);
  if (la === undefined || lb === undefined) return undefined;
  if ('slot' in la && 'slot' in lb) {
    const i = la.slot;
    const j = lb.slot;
    switch (op) {
      case '+': return (s) => s[i]! + s[j]!;
      case '-': return (s) => s[i]! - s[j]!;
      case '*': return (s) => s[i]! * s[j]!;
      case '/': return (s) => s[i]! / s[j]!;
    }
  }
  if ('slot' in la && 'value' in lb) {
    const i = la.slot;
    const c = lb.value;
    switch (op) {
      case '+': return (s) => s[i]! + c;
      case '-': return (s) => s[i]! - c;
      case '*': return (s) => s[i]! * c;
      case '/': return (s) => s[i]! / c;
    }
  }
  if ('value' in la && 'slot' in lb) {
    const c = la.value;
    const j = lb.slot;
    switch (op) {
      case '+': return (s) => c + s[j]!;
      case '-': return (s) => c - s[j]!;
      case '*': return (s) => c * s[j]!;
      case '/': return (s) => c / s[j]!;
    }
  }
  return undefined;
}

function binary(op: string, a: Eval, b: Eval): Eval {
  const special = arithmetic(op, a, b);
  if (special !== undefined) return special;
  switch (op) {
    case '+': return (s) => a(s) + b(s);
    case '-': return (s) => a(s) - b(s);
    case '*': return (s) => a(s) * b(s);
    case '/': return (s) => a(s) / b(s);
    case '%': return (s) => a(s) % b(s);
    case '<': return (s) => +(a(s) < b(s));
    case '>': return (s) => +(a(s) > b(s));
    case '<=': return (s) => +(a(s) <= b(s));
    case '>=': return (s) => +(a(s) >= b(s));
    case '===': case '==': return (s) => +(a(s) === b(s));
    case '!==': case '!=': return (s) => +(a(s) !== b(s));
    case '&&': return (s) => a(s) && b(s);
    case '||': return (s) => a(s) || b(s);
  }
  throw new Error(`kernel interpreter: unknown operator ${op}`);
}

function call(f: Fn, args: readonly Eval[]): Eval {
  if (args.length === 1) {
    const [x] = args as [Eval];
    return (s) => f(x(s));
  }
  if (args.length === 2) {
    const [x, y] = args as [Eval, Eval];
    return (s) => f(x(s), y(s));
  }
  return (s) => f(...args.map((g) => g(s)));
}

class Parser {
  private at = 0;

  constructor(private readonly tokens: readonly Token[], private readonly slots: Slots, private readonly src: string) {}

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private isOp(text: string): boolean {
    const t = this.peek();
    return t?.kind === 'op' && t.text === text;
  }

  private expect(text: string): void {
    if (!this.isOp(text)) throw new Error(`kernel interpreter: expected \`${text}\` in ${JSON.stringify(this.src.slice(0, 120))}`);
    this.at++;
  }

  get done(): boolean {
    return this.at >= this.tokens.length;
  }

  /** `const name = expr;`: returns a closure storing into the name's slot. */
  statement(): (s: Float64Array) => void {
    const kw = this.peek();
    if (kw?.kind !== 'name' || (kw.text !== 'const' && kw.text !== 'let')) throw new Error(`kernel interpreter: expected a declaration in ${JSON.stringify(this.src.slice(0, 120))}`);
    this.at++;
    const name = this.peek();
    if (name?.kind !== 'name') throw new Error('kernel interpreter: expected a name after const');
    this.at++;
    this.expect('=');
    const value = this.expression();
    if (this.isOp(';')) this.at++;
    const k = this.slots.declare(name.text);
    return (s) => {
      s[k] = value(s);
    };
  }

  expression(): Eval {
    const cond = this.binaryAbove(0);
    if (!this.isOp('?')) return cond;
    this.at++;
    const yes = this.expression();
    this.expect(':');
    const no = this.expression();
    return (s) => (cond(s) ? yes(s) : no(s));
  }

  private binaryAbove(min: number): Eval {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      const prec = t?.kind === 'op' ? BINARY[t.text] : undefined;
      if (t?.kind !== 'op' || prec === undefined || prec <= min) return left;
      this.at++;
      left = binary(t.text, left, this.binaryAbove(prec));
    }
  }

  private unary(): Eval {
    if (this.isOp('-')) {
      this.at++;
      const x = this.unary();
      return (s) => -x(s);
    }
    if (this.isOp('+')) {
      this.at++;
      const x = this.unary();
      return (s) => +x(s);
    }
    if (this.isOp('!')) {
      this.at++;
      const x = this.unary();
      return (s) => +!x(s);
    }
    return this.primary();
  }

  private primary(): Eval {
    const t = this.peek();
    if (t === undefined) throw new Error(`kernel interpreter: unexpected end of ${JSON.stringify(this.src.slice(0, 120))}`);
    this.at++;
    if (t.kind === 'num') {
      const v = t.value;
      const literal: Eval = () => v;
      leaves.set(literal, { value: v });
      return literal;
    }
    if (t.kind === 'op') {
      if (t.text !== '(') throw new Error(`kernel interpreter: unexpected \`${t.text}\` in ${JSON.stringify(this.src.slice(0, 120))}`);
      const inner = this.expression();
      this.expect(')');
      return inner;
    }
    if (t.text === 'Infinity') return () => Infinity;
    if (t.text === 'NaN') return () => NaN;
    if (this.isOp('(')) {
      this.at++;
      const args: Eval[] = [];
      while (!this.isOp(')')) {
        args.push(this.expression());
        if (this.isOp(',')) this.at++;
      }
      this.at++;
      const f = member(t.text);
      if (typeof f !== 'function') throw new Error(`kernel interpreter: \`${t.text}\` is not a function`);
      return call(f, args);
    }
    if (t.text.includes('.')) {
      const v = member(t.text);
      if (typeof v !== 'number') throw new Error(`kernel interpreter: \`${t.text}\` is not a number`);
      return () => v;
    }
    const k = this.slots.slotOf(t.text);
    const read: Eval = (s) => s[k]!;
    leaves.set(read, { slot: k });
    return read;
  }
}

/** An expression over the declared variables. */
export function compileExpression(src: string, slots: Slots): Eval {
  const p = new Parser(tokenize(src), slots, src);
  const e = p.expression();
  if (!p.done) throw new Error(`kernel interpreter: trailing text in ${JSON.stringify(src.slice(0, 120))}`);
  return e;
}

/** Statements `const name = expr;` in order (each declares its name), as one closure. */
export function compileStatements(src: string, slots: Slots): (s: Float64Array) => void {
  const p = new Parser(tokenize(src), slots, src);
  const steps: ((s: Float64Array) => void)[] = [];
  while (!p.done) steps.push(p.statement());
  if (steps.length === 0) return () => {};
  if (steps.length === 1) return steps[0]!;
  return (s) => {
    for (let i = 0; i < steps.length; i++) steps[i]!(s);
  };
}
