// Claim statements: a known test, a series that exists (`loss` or a metric), numeric arguments,
// and `= value +- tol` written together.
import type { ClaimStmt, Expr } from '../ast.js';
import { didYouMean } from '../diagnostics.js';
import type { Ctx } from './expr.js';
import { CONSTANTS } from './scope.js';

/** How many numeric arguments follow the series: a window `(from, to)` or nothing (last decade / whole run). */
const CLAIM_ARGS: Record<string, readonly number[]> = {
  slope: [0, 2], rate: [0, 2], final: [0], min: [0, 2], max: [0, 2], mean: [0, 2],
};

/** The first part of `e` that is not a number known before the run (or null). */
function nonConstant(e: Expr, ctx: Ctx): Expr | null {
  switch (e.kind) {
    case 'Num': return null;
    case 'Unary': return nonConstant(e.operand, ctx);
    case 'Binary': return nonConstant(e.left, ctx) ?? nonConstant(e.right, ctx);
    case 'Name': {
      const g = ctx.tables.globals.get(e.name);
      if (g === undefined) return (CONSTANTS as readonly string[]).includes(e.name) ? null : e;
      return g.kind === 'dim' || (g.kind === 'let' && g.literal !== undefined) ? null : e;
    }
    default: return e;
  }
}

function mustBeNumber(e: Expr, what: string, ctx: Ctx): void {
  const bad = nonConstant(e, ctx);
  if (bad === null) return;
  const known = bad.kind === 'Name' && (ctx.tables.globals.has(bad.name) || ctx.tables.metrics.has(bad.name));
  const hint = bad.kind === 'Name' && !known
    ? didYouMean(bad.name, [...ctx.tables.globals.keys(), ...CONSTANTS]) : 'use numbers, dims and number-literal lets';
  ctx.reporter.error(bad.kind === 'Name' && !known ? `unknown name \`${bad.name}\`` : `${what} must be a number known before the run`, bad, hint);
}

export function checkClaim(s: ClaimStmt, ctx: Ctx): void {
  const test = s.test.name;
  const counts = CLAIM_ARGS[test];
  if (counts === undefined) {
    ctx.reporter.error(`unknown claim test \`${test}\``, s.test, didYouMean(test, Object.keys(CLAIM_ARGS)) ?? 'use slope, rate, final, min, max or mean');
  } else if (!counts.includes(s.args.length)) {
    const allowed = counts.length === 1 ? 'only the series' : 'the series and a window of two steps, or only the series';
    ctx.reporter.error(`\`${test}\` takes ${allowed}, got ${s.args.length} more argument${s.args.length === 1 ? '' : 's'}`, s.test,
      counts.length === 1 ? `write \`${test}(${s.series.name.name})\`` : `write \`${test}(${s.series.name.name}, 1e3, 1e4)\``);
  }

  const series = s.series.name.name;
  const metric = ctx.tables.metrics.get(series);
  if (series === 'loss') {
    ctx.reporter.must(s.series.indices.length === 0, '`loss` is a number: it has no elements', s.series);
  } else if (metric === undefined) {
    ctx.reporter.error(`unknown series \`${series}\`: a claim looks at \`loss\` or a metric`, s.series.name,
      didYouMean(series, ['loss', ...ctx.tables.metrics.keys()]));
  } else if (metric.indices === 0) {
    ctx.reporter.must(s.series.indices.length === 0, `metric \`${series}\` is a number: it has no elements`, s.series);
  } else if (s.series.indices.length !== metric.indices) {
    ctx.reporter.error(`metric \`${series}\` is a vector: name one element, as in \`${series}[${new Array<string>(metric.indices).fill('0').join(', ')}]\``, s.series);
  }
  for (const ix of s.series.indices) {
    ctx.reporter.must(ix.kind === 'Num' && Number.isInteger(ix.value) && ix.value >= 0, 'an element of a series is a non-negative integer', ix);
  }

  for (const a of s.args) mustBeNumber(a, `an argument of \`${test}\``, ctx);
  mustBeNumber(s.value, 'the value a claim compares with', ctx);
  if (s.tolerance !== null) mustBeNumber(s.tolerance, 'the tolerance', ctx);
  if (s.op === '=') {
    ctx.reporter.must(s.tolerance !== null, '`=` in a claim needs a tolerance', s.opSpan, 'write `= value +- tol`, or use `==` for exact equality');
  } else if (s.tolerance !== null) {
    ctx.reporter.error('`+-` only goes with `=`', s.tolerance, `write \`= value +- tol\` instead of \`${s.op}\``);
  }
}
