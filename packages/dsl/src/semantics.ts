// Ohm semantics: the `ast` operation that turns a concrete syntax tree into the typed AST of ast.ts.
import type { Grammar, Node, Semantics } from 'ohm-js';
import type * as A from './ast.js';
import type { Reporter } from './diagnostics.js';

/** A name standing in for an expression parsed beforehand (a long sum, see long-sums.ts). */
export interface Placeholder {
  end: number;
  expr: A.Expr;
  used: boolean;
}

/** State of the one parse in progress (parsing is synchronous, so one slot suffices). */
interface Context {
  cooked: string;
  report: Reporter;
  /** An offset of the matched text as one of `cooked` (a term matched alone, stand-ins in between). */
  toCooked: (at: number) => number;
  /** Placeholders by their offset in `cooked`. */
  placeholders: ReadonlyMap<number, Placeholder>;
}
let ctx: Context | null = null;

/**
 * Runs `fn` with the cooked text (for trimming spans), the reporter (for semantic syntax errors),
 * where the matched text's offsets are in it, and the placeholders the `name` rule resolves.
 */
export function withContext<T>(
  cooked: string,
  report: Reporter,
  fn: () => T,
  at: { toCooked?: (at: number) => number; placeholders?: ReadonlyMap<number, Placeholder> } = {},
): T {
  ctx = { cooked, report, toCooked: at.toCooked ?? ((x) => x), placeholders: at.placeholders ?? new Map() };
  try {
    return fn();
  } finally {
    ctx = null;
  }
}

const current = (): Context => {
  if (ctx === null) throw new Error('semantics used outside withContext');
  return ctx;
};

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';

/** The node's source interval with surrounding whitespace (and blanked comments) trimmed off. */
function spanOf(node: Node): A.Span {
  const { cooked: text, toCooked } = current();
  let start = toCooked(node.source.startIdx);
  let end = toCooked(node.source.endIdx);
  while (start < end && isSpace(text[start])) start++;
  while (end > start && isSpace(text[end - 1])) end--;
  return { start, end };
}

const join = (a: A.Span, b: A.Span): A.Span => ({ start: a.start, end: b.end });

// Ohm operation results are untyped; these are the only casts.
const ast = <T>(n: Node): T => n['ast']() as T;
const list = <T>(n: Node): T[] => n.asIteration().children.map((c) => ast<T>(c));
const opt = <T>(n: Node): T | null => (n.numChildren > 0 ? ast<T>(n.child(0)) : null);
const where = (n: Node): A.Binding[] => opt<A.Binding[]>(n) ?? [];

/** Left fold of `first (op rest)*` into Binary (or Compare) nodes. */
function fold(first: Node, ops: Node, rests: Node): A.Expr {
  let left = ast<A.Expr>(first);
  ops.children.forEach((opNode, i) => {
    const right = ast<A.Expr>(rests.child(i));
    const op = opNode.sourceString.trim();
    const opSpan = spanOf(opNode);
    left = { kind: 'Binary', op: op as A.BinaryOp, left, right, opSpan, span: join(left.span, right.span) };
  });
  return left;
}

type PostOp = { tag: 'index'; indices: A.Expr[]; end: number } | { tag: 'transpose'; end: number };

/** Turns `grad(e, y)` and `stop(e)` calls into their own nodes, reporting misuse. */
function call(callee: A.Ident, args: A.Expr[], span: A.Span): A.Expr {
  const { report } = current();
  if (callee.name === 'grad') {
    const [body, wrt] = args;
    if (report.must(args.length === 2 && body !== undefined && wrt !== undefined,
      `\`grad\` takes 2 arguments, an expression and a name, not ${args.length}`, callee, 'write `grad(e, y)`')) {
      if (report.must(wrt?.kind === 'Name', 'the second argument of `grad` must be a name', wrt ?? span)) {
        const w = wrt as A.Name;
        return { kind: 'Grad', body: body as A.Expr, wrt: { kind: 'Ident', name: w.name, span: w.span }, span };
      }
    }
  } else if (callee.name === 'stop') {
    const [body] = args;
    if (report.must(args.length === 1 && body !== undefined, `\`stop\` takes 1 argument, not ${args.length}`, callee)) {
      return { kind: 'Stop', body: body as A.Expr, span };
    }
  }
  return { kind: 'Call', callee, args, span };
}

function unescape(text: string): string {
  return text.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

/** Adds the `ast` operation to a fresh semantics of the Descent grammar. */
export function createSemantics(grammar: Grammar): Semantics {
  const s = grammar.createSemantics();
  s.addOperation<unknown>('ast', {
    Program(_a, stmts, _b) {
      return { kind: 'Program', file: '', source: '', statements: list<A.Stmt>(stmts), span: { start: 0, end: current().toCooked(this.source.endIdx) } };
    },
    FuncStmt(name, _l, params, _r, _eq, body, w): A.FuncStmt {
      return { kind: 'FuncStmt', name: ast(name), params: list(params), body: ast(body), where: where(w), span: spanOf(this) };
    },
    DimStmt(_kw, decls): A.DimStmt {
      return { kind: 'DimStmt', decls: list(decls), span: spanOf(this) };
    },
    DimDecl(name, _eq, value): A.DimDecl {
      return { kind: 'DimDecl', name: ast(name), value: ast(value), span: spanOf(this) };
    },
    LetStmt(_kw, decl, _eq, value, w): A.LetStmt {
      return { kind: 'LetStmt', decl: ast(decl), value: ast(value), where: where(w), span: spanOf(this) };
    },
    ParamStmt(_kw, decls, init): A.ParamStmt {
      return { kind: 'ParamStmt', decls: list(decls), init: ast(init), span: spanOf(this) };
    },
    ParamInit_value(_eq, value): A.InitValue {
      return { kind: 'InitValue', value: ast(value), span: spanOf(this) };
    },
    SampleStmt(_kw, decls, dist): A.SampleStmt {
      return { kind: 'SampleStmt', decls: list(decls), dist: ast(dist), span: spanOf(this) };
    },
    Distribution(_t, name, _l, args, _r): A.Distribution {
      return { kind: 'Distribution', name: ast(name), args: list(args), span: spanOf(this) };
    },
    ExpectStmt_samples(_kw, _s, _l, count, _c, fresh, _r): A.ExpectSamples {
      return { kind: 'ExpectStmt', method: 'samples', count: ast(count), fresh: fresh.numChildren > 0, span: spanOf(this) };
    },
    ExpectStmt_quadrature(_kw, _q, _l, nodes, _r): A.ExpectQuadrature {
      return { kind: 'ExpectStmt', method: 'quadrature', nodes: ast(nodes), span: spanOf(this) };
    },
    LossStmt(_kw, _eq, body, w): A.LossStmt {
      return { kind: 'LossStmt', sense: 'minimize', body: ast(body), where: where(w), span: spanOf(this) };
    },
    MaximizeStmt(_kw, body, w): A.LossStmt {
      return { kind: 'LossStmt', sense: 'maximize', body: ast(body), where: where(w), span: spanOf(this) };
    },
    MetricStmt(_kw, name, idx, _eq, body, w): A.MetricStmt {
      const indices = opt<A.Ident[]>(idx) ?? [];
      return { kind: 'MetricStmt', name: ast(name), indices, body: ast(body), where: where(w), span: spanOf(this) };
    },
    UpdateStmt(_kw, name, idx, _eq, body, w): A.UpdateStmt {
      const indices = opt<A.Ident[]>(idx) ?? [];
      return { kind: 'UpdateStmt', name: ast(name), indices, body: ast(body), where: where(w), span: spanOf(this) };
    },
    OptimizerStmt(_kw, name, _l, args, _r): A.OptimizerStmt {
      const a = args.numChildren > 0 ? list<A.OptimizerArg>(args.child(0)) : [];
      return { kind: 'OptimizerStmt', name: ast(name), args: a, span: spanOf(this) };
    },
    OptArg_named(name, _eq, value): A.OptimizerArg {
      return { kind: 'OptimizerArg', name: ast(name), value: ast(value), span: spanOf(this) };
    },
    OptArg_positional(value): A.OptimizerArg {
      return { kind: 'OptimizerArg', name: null, value: ast(value), span: spanOf(this) };
    },
    SettingStmt(key, value): A.SettingStmt {
      return { kind: 'SettingStmt', key: key.sourceString.trim() as A.SettingStmt['key'], value: ast(value), span: spanOf(this) };
    },
    ClaimStmt(_kw, test, _l, series, _c, args, _r, op, value, _t, tol): A.ClaimStmt {
      return {
        kind: 'ClaimStmt', test: ast(test), series: ast(series), args: args.children.map((a) => ast<A.Expr>(a)),
        op: op.sourceString.trim() as A.ClaimOp, opSpan: spanOf(op), value: ast(value),
        tolerance: tol.numChildren > 0 ? ast(tol.child(0)) : null, span: spanOf(this),
      };
    },
    Series_every(name, _l, _star, _r): A.Series {
      return { kind: 'Series', name: ast(name), indices: [], every: true, span: spanOf(this) };
    },
    Series_plain(name, _l, idx, _r): A.Series {
      const indices = idx.numChildren > 0 ? list<A.Expr>(idx.child(0)) : [];
      return { kind: 'Series', name: ast(name), indices, every: false, span: spanOf(this) };
    },
    IndexEntry_slice(lo, _c, hi): A.Slice {
      return { kind: 'Slice', lo: opt<A.Expr>(lo), hi: opt<A.Expr>(hi), span: spanOf(this) };
    },
    Where(_kw, bindings): A.Binding[] {
      return list(bindings);
    },
    Binding(decl, _eq, value): A.Binding {
      return { kind: 'Binding', decl: ast(decl), value: ast(value), span: spanOf(this) };
    },
    Decl(name, shape): A.Decl {
      return { kind: 'Decl', name: ast(name), shape: opt(shape), span: spanOf(this) };
    },
    Shape(_l, dims, _r): A.Shape {
      return { kind: 'Shape', dims: list(dims), span: spanOf(this) };
    },
    IndexVars(_l, ids, _r): A.Ident[] {
      return list(ids);
    },

    Expr(first, ops, rests): A.Expr {
      const extra = ops.children[1];
      current().report.must(extra === undefined, 'comparisons cannot be chained; use parentheses', spanOf(extra ?? this));
      let left = ast<A.Expr>(first);
      ops.children.forEach((opNode, i) => {
        const right = ast<A.Expr>(rests.child(i));
        const op = opNode.sourceString.trim() as A.CompareOp;
        left = { kind: 'Compare', op, left, right, opSpan: spanOf(opNode), span: join(left.span, right.span) };
      });
      return left;
    },
    Add: fold,
    Mul: fold,
    Unary_neg(_m, operand): A.Unary {
      return { kind: 'Unary', op: '-', operand: ast(operand), span: spanOf(this) };
    },
    Unary_pos(_p, operand): A.Unary {
      return { kind: 'Unary', op: '+', operand: ast(operand), span: spanOf(this) };
    },
    Unary_reduce(red, body): A.Reduce {
      const r = ast<{ op: A.ReduceOp; indices: A.Ident[] }>(red);
      return { kind: 'Reduce', op: r.op, indices: r.indices, body: ast(body), span: spanOf(this) };
    },
    Unary_softmax(sm, body): A.Softmax {
      return { kind: 'Softmax', indices: ast(sm), body: ast(body), span: spanOf(this) };
    },
    Pow_pow(base, op, exponent): A.Binary {
      return { kind: 'Binary', op: '^', left: ast(base), right: ast(exponent), opSpan: spanOf(op), span: spanOf(this) };
    },
    Exponent_neg(_m, operand): A.Unary {
      return { kind: 'Unary', op: '-', operand: ast(operand), span: spanOf(this) };
    },
    Exponent_pos(_p, operand): A.Unary {
      return { kind: 'Unary', op: '+', operand: ast(operand), span: spanOf(this) };
    },
    Postfix(primary, ops): A.Expr {
      let e = ast<A.Expr>(primary);
      for (const opNode of ops.children) {
        const op = ast<PostOp>(opNode);
        const span = { start: e.span.start, end: op.end };
        e = op.tag === 'index' ? { kind: 'Index', target: e, indices: op.indices, span } : { kind: 'Transpose', operand: e, span };
      }
      return e;
    },
    PostOp_index(_l, indices, _r): PostOp {
      return { tag: 'index', indices: list(indices), end: spanOf(this).end };
    },
    PostOp_transpose(_t): PostOp {
      return { tag: 'transpose', end: spanOf(this).end };
    },
    Primary_paren(_l, e, _r): A.Expr {
      return ast(e);
    },
    Primary_array(_l, elements, _c, _r): A.Vector {
      return { kind: 'Vector', elements: list(elements), span: spanOf(this) };
    },
    Primary_norm(_l, e, _r): A.Norm {
      return { kind: 'Norm', operand: ast(e), span: spanOf(this) };
    },
    Primary_expect(_e, _l, body, _r): A.Expectation {
      return { kind: 'Expectation', body: ast(body), span: spanOf(this) };
    },
    Primary_call(callee, _l, args, _r): A.Expr {
      return call(ast(callee), list(args), spanOf(this));
    },

    reducer(op, _u, spec) {
      return { op: op.sourceString as A.ReduceOp, indices: ast<A.Ident[]>(spec) };
    },
    softmax(_s, _u, spec): A.Ident[] {
      return ast(spec);
    },
    indexSpec_braced(_l, _s1, first, _s2, _c, _s3, rest, _s4, _r): A.Ident[] {
      return [ast<A.Ident>(first), ...rest.children.map((c) => ast<A.Ident>(c))];
    },
    indexSpec_single(id): A.Ident[] {
      return [ast(id)];
    },
    name(id): A.Expr {
      const i = ast<A.Ident>(id);
      const stand = current().placeholders.get(i.span.start);
      if (stand !== undefined && stand.end === i.span.end) {
        stand.used = true;
        return stand.expr;
      }
      return { kind: 'Name', name: i.name, span: i.span };
    },
    callee(x): A.Ident {
      return { kind: 'Ident', name: x.sourceString, span: spanOf(this) };
    },
    ident(_a, _b): A.Ident {
      return { kind: 'Ident', name: this.sourceString, span: spanOf(this) };
    },
    number(_n): A.Num {
      return { kind: 'Num', value: Number(this.sourceString), text: this.sourceString, span: spanOf(this) };
    },
    string(_l, _c, _r): A.Str {
      return { kind: 'Str', value: unescape(this.sourceString), text: this.sourceString, span: spanOf(this) };
    },
  });
  return s;
}
