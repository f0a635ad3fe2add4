// The typed syntax tree of a `.loss` file: every node has a `kind` and a `span` into the original source.

/** Half-open character range `[start, end)` into the original source text (UTF-16 offsets). */
export interface Span {
  start: number;
  end: number;
}

/** Anything with a source location: a node, or a bare span. */
export type Spanned = Span | { span: Span };

/**
 * A name where it is declared or bound (statement names, shape dims, function parameters,
 * index variables of reductions, `grad`'s variable). References inside expressions are `Name`.
 */
export interface Ident {
  kind: 'Ident';
  name: string;
  span: Span;
}

// ---------------------------------------------------------------- expressions

/** A numeric literal: `1`, `0.5`, `1e-7`, `.5`. `text` is the exact spelling in the source. */
export interface Num {
  kind: 'Num';
  value: number;
  text: string;
  span: Span;
}

/** A string literal (only used as a `load("x.csv")` argument); `value` has escapes resolved. */
export interface Str {
  kind: 'Str';
  value: string;
  text: string;
  span: Span;
}

/**
 * A reference to a name: a dim, let, param, sample, function argument, where-binding, index
 * variable, or a built-in constant. `pi` and `inf` are ordinary `Name`s: the checker resolves
 * them to the constants unless the file declares them (`update pi = ...` in EM uses `pi`).
 */
export interface Name {
  kind: 'Name';
  name: string;
  span: Span;
}

/** A vector literal `[a, b, c]`; a matrix is a vector of vectors `[[1, 2], [3, 4]]`. Never empty. */
export interface Vector {
  kind: 'Vector';
  elements: Expr[];
  span: Span;
}

/** Prefix `-e` or `+e`. `-x^2` is `Unary('-', Binary('^', x, 2))`: power binds tighter. */
export interface Unary {
  kind: 'Unary';
  op: '-' | '+';
  operand: Expr;
  span: Span;
}

/** Arithmetic operators; `@` is the matrix product. All left-associative except `^`. */
export type BinaryOp = '+' | '-' | '*' | '/' | '@' | '^';

/** `left op right`. `opSpan` locates the operator (for carets on shape mismatches). */
export interface Binary {
  kind: 'Binary';
  op: BinaryOp;
  left: Expr;
  right: Expr;
  opSpan: Span;
  span: Span;
}

export type CompareOp = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** A comparison, value 0 or 1 with no gradient. Loosest binding; never chained (`a < b < c` is an error). */
export interface Compare {
  kind: 'Compare';
  op: CompareOp;
  left: Expr;
  right: Expr;
  opSpan: Span;
  span: Span;
}

/** Postfix transpose `A'` (reverses the axes). */
export interface Transpose {
  kind: 'Transpose';
  operand: Expr;
  span: Span;
}

/** `|e|`: Euclidean / Frobenius norm, or absolute value of a scalar. `|e|^2` is `Binary('^', Norm(e), 2)`. */
export interface Norm {
  kind: 'Norm';
  operand: Expr;
  span: Span;
}

/**
 * Indexing of leading axes: `w[i]`, `Y[k, j]`, `w[0]`, `mustar[k]`. The grammar accepts any
 * expression as an index; the checker restricts to index variables, integer literals and
 * integer-valued names (dims, categorical samples). `w[i][j]` nests two `Index` nodes.
 */
export interface Index {
  kind: 'Index';
  target: Expr;
  indices: Expr[];
  span: Span;
}

/**
 * A range of one axis inside brackets: `X[a:b]`, `X[:k]`, `X[k:]`, `X[:, j]` (`lo`/`hi` null when
 * omitted). Only valid as an entry of an `Index`; the bounds are constant integers (numbers, dims).
 */
export interface Slice {
  kind: 'Slice';
  lo: Expr | null;
  hi: Expr | null;
  span: Span;
}

/** A call of a built-in or user function: `dot(a, b)`, `where(c, a, b)`, `load("x.csv")`. */
export interface Call {
  kind: 'Call';
  callee: Ident;
  args: Expr[];
  span: Span;
}

export type ReduceOp = 'sum' | 'mean' | 'prod' | 'max' | 'min' | 'logsumexp';

/**
 * `sum_i body`, `sum_{i,j} body`, `max_{a} body`: binds the index variables in `body`. The body
 * extends over the rest of the multiplicative term: `sum_i a[i] * b[i] + c` has body `a[i] * b[i]`.
 */
export interface Reduce {
  kind: 'Reduce';
  op: ReduceOp;
  indices: Ident[];
  body: Expr;
  span: Span;
}

/**
 * `softmax_i e`: normalizes over `i` and leaves `i` free. Its operand binds like a unary
 * operand (not like a reduction): `softmax_i(l[i]) * mu[i]` is `Softmax(l[i]) * mu[i]`.
 */
export interface Softmax {
  kind: 'Softmax';
  indices: Ident[];
  body: Expr;
  span: Span;
}

/** `E[e]`: expectation over every random variable in `e`. `E` followed by `[` is always this. */
export interface Expectation {
  kind: 'Expectation';
  body: Expr;
  span: Span;
}

/** `grad(e, y)`: derivative of scalar `e` with respect to the name `y`. */
export interface Grad {
  kind: 'Grad';
  body: Expr;
  wrt: Ident;
  span: Span;
}

/** `stop(e)`: the value of `e` with gradients blocked. */
export interface Stop {
  kind: 'Stop';
  body: Expr;
  span: Span;
}

/** Any expression. Parentheses leave no node: `(a + b)` is the `Binary` with the inner span. */
export type Expr =
  | Num | Str | Name | Vector | Unary | Binary | Compare | Transpose | Norm | Index | Slice | Call
  | Reduce | Softmax | Expectation | Grad | Stop;

// ---------------------------------------------------------------- pieces of statements

/** A shape annotation `[n, d]` / `[3]`: each dim is a dim name or an integer literal. */
export interface Shape {
  kind: 'Shape';
  dims: Array<Ident | Num>;
  span: Span;
}

/** A declared name with an optional shape: `w[n, d]`, `a`, `y[d]` (also function parameters). */
export interface Decl {
  kind: 'Decl';
  name: Ident;
  shape: Shape | null;
  span: Span;
}

/** One `name = value` of a `dim` statement. */
export interface DimDecl {
  kind: 'DimDecl';
  name: Ident;
  value: Expr;
  span: Span;
}

/** One local name of a `where` clause: `t = expr` or `t[d] = expr`. */
export interface Binding {
  kind: 'Binding';
  decl: Decl;
  value: Expr;
  span: Span;
}

/** `~ normal(0, 1)`, `~ uniform(lo, hi)`, `~ categorical(p)`, `~ draws(x)`; span covers the `~`. */
export interface Distribution {
  kind: 'Distribution';
  name: Ident;
  args: Expr[];
  span: Span;
}

/** `= expr` as a param initializer; span covers the `=`. */
export interface InitValue {
  kind: 'InitValue';
  value: Expr;
  span: Span;
}

/** One optimizer argument: `lr = 0.1` (named) or `0.1` (positional, `name` null). */
export interface OptimizerArg {
  kind: 'OptimizerArg';
  name: Ident | null;
  value: Expr;
  span: Span;
}

/** The logged series a claim looks at: `loss`, `converged`, an element `norm[0]`, every element `norm[*]`. */
export interface Series {
  kind: 'Series';
  name: Ident;
  indices: Expr[];
  /** `norm[*]`: the claim holds for every element of the vector metric. */
  every: boolean;
  span: Span;
}

// ---------------------------------------------------------------- statements

/** `dim d = 5` / `dim n = 2, m = 1`. The checker requires constant integer values. */
export interface DimStmt {
  kind: 'DimStmt';
  decls: DimDecl[];
  span: Span;
}

/** `let c = 0.5`, `let v[d] = onehot(d, 0)` (optionally with `where`). */
export interface LetStmt {
  kind: 'LetStmt';
  decl: Decl;
  value: Expr;
  where: Binding[];
  span: Span;
}

/** `param w[n, d] ~ normal(0, 1)`, `param W1[d, d], W2[d, d] ~ ...`, `param mu[n, d] = expr`. */
export interface ParamStmt {
  kind: 'ParamStmt';
  decls: Decl[];
  init: Distribution | InitValue;
  span: Span;
}

/** `sample x[d] ~ normal(0, 1)`, `sample k ~ categorical(p)` (several names allowed). */
export interface SampleStmt {
  kind: 'SampleStmt';
  decls: Decl[];
  dist: Distribution;
  span: Span;
}

/** `expect samples(N)` (one fixed batch) or `expect samples(N, fresh)` (redrawn each step). */
export interface ExpectSamples {
  kind: 'ExpectStmt';
  method: 'samples';
  count: Expr;
  fresh: boolean;
  span: Span;
}

/** `expect quadrature(K)`: Gauss–Hermite with `nodes` nodes per Gaussian dimension. */
export interface ExpectQuadrature {
  kind: 'ExpectStmt';
  method: 'quadrature';
  nodes: Expr;
  span: Span;
}

export type ExpectStmt = ExpectSamples | ExpectQuadrature;

/** `f(a[d], b[d]) = expr [where ...]`, `f(t) = expr`: a user function; parameters declare shapes. */
export interface FuncStmt {
  kind: 'FuncStmt';
  name: Ident;
  params: Decl[];
  body: Expr;
  where: Binding[];
  span: Span;
}

/** `loss = expr` (sense 'minimize') or `maximize expr` (sense 'maximize'), with optional `where`. */
export interface LossStmt {
  kind: 'LossStmt';
  sense: 'minimize' | 'maximize';
  body: Expr;
  where: Binding[];
  span: Span;
}

/** `metric name = expr`, `metric name[i] = expr` (a vector over the index variables). */
export interface MetricStmt {
  kind: 'MetricStmt';
  name: Ident;
  indices: Ident[];
  body: Expr;
  where: Binding[];
  span: Span;
}

/** `update pi = expr`: closed-form replacement of a parameter after each step (optional `[k]`). */
export interface UpdateStmt {
  kind: 'UpdateStmt';
  name: Ident;
  indices: Ident[];
  body: Expr;
  where: Binding[];
  span: Span;
}

/** `optimizer gd(lr = 0.1)`, `optimizer adam` (no parentheses: all defaults). */
export interface OptimizerStmt {
  kind: 'OptimizerStmt';
  name: Ident;
  args: OptimizerArg[];
  span: Span;
}

/** `steps 20000`, `seed 1`, `log 200`. */
export interface SettingStmt {
  kind: 'SettingStmt';
  key: 'steps' | 'seed' | 'log';
  value: Expr;
  span: Span;
}

/** `=` is written in claims as `= value +- tol`; the others compare the measured value. */
export type ClaimOp = CompareOp | '=';

/**
 * `claim slope(loss, 1e4, 1e5) = -3 +- 0.3`, `claim final(loss) < 1e-8`: `test(series, args...)
 * op value [+- tolerance]`. The parser does not restrict `test` (slope, rate, final, min, ...).
 */
export interface ClaimStmt {
  kind: 'ClaimStmt';
  test: Ident;
  series: Series;
  args: Expr[];
  op: ClaimOp;
  opSpan: Span;
  value: Expr;
  tolerance: Expr | null;
  span: Span;
}

export type Stmt =
  | DimStmt | LetStmt | ParamStmt | SampleStmt | ExpectStmt | FuncStmt | LossStmt | MetricStmt
  | UpdateStmt | OptimizerStmt | SettingStmt | ClaimStmt;

/** A whole file: its statements in source order, plus the text and file name for messages. */
export interface ProgramAst {
  kind: 'Program';
  file: string;
  source: string;
  statements: Stmt[];
  span: Span;
}

/** Every node kind, for exhaustive walkers. */
export type Node =
  | Expr | Stmt | Ident | Shape | Decl | DimDecl | Binding | Distribution | InitValue
  | OptimizerArg | Series | ProgramAst;
