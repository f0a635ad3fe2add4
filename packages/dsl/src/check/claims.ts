// Claim statements: a known test, a series that exists (`loss` or a metric), constant arguments, a
// value side of constants and measurements (`final(a) < 2 * final(b)`), and `= value +- tol` together.
import type { Call, ClaimStmt, Expr, Series } from '../ast.js';
import { arityOf, describeArity } from '../lower/builtins.js';
import { didYouMean } from '../diagnostics.js';
import { STEP } from './dependencies.js';
import { definedBeforeQuiet, type Ctx } from './expr.js';
import { BUILTIN_CONSTANTS } from './bound.js';
import { CONSTANTS, kindWord } from './scope.js';

/** How many numeric arguments follow the series: a window `(from, to)` or nothing (last decade / whole run). */
export const CLAIM_ARGS: Record<string, readonly number[]> = {
  slope: [0, 2], rate: [0, 2], final: [0], min: [0, 2], max: [0, 2], mean: [0, 2],
};

/** Built-ins whose value is not a number known before the run. */
const NOT_CONSTANT = new Set(['randn', 'rand', 'load']);

const CONSTANT_HINT = 'use numbers, dims, lets that do not depend on params, and built-in functions';

/** Whether `name` is a claim series: `loss` or a metric. */
export type IsSeries = (name: string) => boolean;

const seriesIn = (ctx: Ctx): IsSeries => (name) => name === 'loss' || ctx.tables.metrics.has(name);

/** The series an expression names, when it is a claim series: `loss`, a metric, `norm[0]`. */
export function seriesOfExpr(e: Expr | undefined, isSeries: IsSeries): Series | null {
  if (e === undefined) return null;
  const base = e.kind === 'Index' ? e.target : e;
  if (base.kind !== 'Name' || !isSeries(base.name)) return null;
  const indices = e.kind === 'Index' ? e.indices : [];
  return { kind: 'Series', name: { kind: 'Ident', name: base.name, span: base.span }, indices, every: false, span: e.span };
}

/** `final(err_b)` inside a claim's value: a test applied to a series (not the built-in `max(x)`). */
export function isMeasurement(e: Expr, isSeries: IsSeries): boolean {
  return e.kind === 'Call' && CLAIM_ARGS[e.callee.name] !== undefined && seriesOfExpr(e.args[0], isSeries) !== null;
}

function checkTestArgs(test: string, at: Call['callee'], series: Series, count: number, ctx: Ctx): void {
  const counts = CLAIM_ARGS[test];
  if (counts === undefined) {
    ctx.reporter.error(`unknown claim test \`${test}\``, at, didYouMean(test, Object.keys(CLAIM_ARGS)) ?? 'use slope, rate, final, min, max or mean');
  } else if (!counts.includes(count)) {
    const allowed = counts.length === 1 ? 'only the series' : 'the series and a window of two steps, or only the series';
    ctx.reporter.error(`\`${test}\` takes ${allowed}, got ${count} more argument${count === 1 ? '' : 's'}`, at,
      counts.length === 1 ? `write \`${test}(${series.name.name})\`` : `write \`${test}(${series.name.name}, 1e3, 1e4)\``);
  }
}

function checkSeries(series: Series, ctx: Ctx): void {
  const name = series.name.name;
  const metric = ctx.tables.metrics.get(name);
  const n = series.indices.length;
  if (name === 'loss') {
    ctx.reporter.must(n === 0 && !series.every, '`loss` is a number: it has no elements', series);
  } else if (metric === undefined) {
    ctx.reporter.error(`unknown series \`${name}\`: a claim looks at \`loss\` or a metric`, series.name,
      didYouMean(name, ['loss', ...ctx.tables.metrics.keys()]));
  } else if (metric.indices === 0) {
    ctx.reporter.must(n === 0 && !series.every, `metric \`${name}\` is a number: it has no elements`, series);
  } else if (series.every) {
    ctx.reporter.must(metric.indices === 1, `\`${name}[*]\` needs a vector metric; \`${name}\` has ${metric.indices} indices`, series);
  } else if (n !== metric.indices) {
    ctx.reporter.error(`metric \`${name}\` is a vector: name one element, as in \`${name}[${new Array<string>(metric.indices).fill('0').join(', ')}]\`, or every element with \`${name}[*]\``, series);
  }
  for (const ix of series.indices) {
    ctx.reporter.must(ix.kind === 'Num' && Number.isInteger(ix.value) && ix.value >= 0, 'an element of a series is a non-negative integer', ix);
  }
}

/**
 * Checks a part of a claim that must be a number: constants throughout, and, where `measure` is
 * true (the value side), measurements of series combined with + - * /.
 */
function checkValue(e: Expr, what: string, ctx: Ctx, measure: boolean): void {
  const stack: Array<{ e: Expr; measure: boolean }> = [{ e, measure }];
  while (stack.length > 0) {
    const { e: x, measure: m } = stack.pop()!;
    switch (x.kind) {
      case 'Num':
        break;
      case 'Unary':
        stack.push({ e: x.operand, measure: m });
        break;
      case 'Binary':
        stack.push({ e: x.right, measure: m && x.op !== '^' && x.op !== '@' }, { e: x.left, measure: m && x.op !== '^' && x.op !== '@' });
        break;
      case 'Name':
        checkConstantName(x, what, ctx);
        break;
      case 'Call': {
        if (isMeasurement(x, seriesIn(ctx))) {
          if (!m) {
            ctx.reporter.error(`${what} must be a number known before the run; a measurement such as \`${x.callee.name}(...)\` may only be added, subtracted, multiplied or divided`, x);
            break;
          }
          const series = seriesOfExpr(x.args[0], seriesIn(ctx)) as Series;
          checkSeries(series, ctx);
          checkTestArgs(x.callee.name, x.callee, series, x.args.length - 1, ctx);
          for (const a of x.args.slice(1)) stack.push({ e: a, measure: false });
          break;
        }
        const arity = arityOf(x.callee.name);
        if (arity === undefined || NOT_CONSTANT.has(x.callee.name)) {
          ctx.reporter.error(arity === undefined ? `unknown function \`${x.callee.name}\` in a claim` : `${what} must be a number known before the run`, x.callee, CONSTANT_HINT);
          break;
        }
        if (x.args.length < arity[0] || x.args.length > arity[1]) ctx.reporter.error(`${describeArity(x.callee.name, arity)}, got ${x.args.length}`, x.callee);
        for (const a of x.args) stack.push({ e: a, measure: false });
        break;
      }
      default:
        ctx.reporter.error(`${what} must be a number known before the run`, x, CONSTANT_HINT);
    }
  }
}

function checkConstantName(n: Expr & { kind: 'Name' }, what: string, ctx: Ctx): void {
  const g = ctx.tables.globals.get(n.name);
  if (g === undefined) {
    const constant = BUILTIN_CONSTANTS.get(n.name);
    if (constant !== undefined) {
      ctx.tables.bindings.bind(n, constant);
      return;
    }
    if (n.name === STEP) {
      ctx.reporter.error(`${what} must be a number known before the run; \`step\` changes during it`, n);
    } else if (ctx.tables.metrics.has(n.name)) {
      ctx.reporter.error(`\`${n.name}\` is a metric: claim something of its measurement, as in \`final(${n.name})\``, n);
    } else {
      ctx.reporter.error(`unknown name \`${n.name}\``, n, didYouMean(n.name, [...ctx.tables.globals.keys(), ...CONSTANTS]));
    }
    return;
  }
  if (n.name === 'loss' && g.order <= ctx.order) {
    ctx.reporter.error('`loss` is a series: claim something of its measurement, as in `final(loss)`', n);
    return;
  }
  if (!definedBeforeQuiet(g, n.span, ctx)) return;
  ctx.tables.bindings.bind(n, g);
  if (g.kind === 'dim') return;
  if (g.kind === 'let') {
    const d = ['param', 'sample', 'step'].find((k) => g.dependencies.has(k as 'param'));
    if (d === undefined) return;
    ctx.reporter.error(`${what} must be a number known before the run; \`${n.name}\` depends on ${d === 'step' ? '`step`' : `a ${d}`}`, n, CONSTANT_HINT);
    return;
  }
  ctx.reporter.error(`${what} must be a number known before the run; \`${n.name}\` is a ${kindWord(g.kind)}`, n, CONSTANT_HINT);
}

export function checkClaim(s: ClaimStmt, ctx: Ctx): void {
  checkTestArgs(s.test.name, s.test, s.series, s.args.length, ctx);
  checkSeries(s.series, ctx);
  for (const a of s.args) checkValue(a, `an argument of \`${s.test.name}\``, ctx, false);
  checkValue(s.value, 'the value a claim compares with', ctx, true);
  if (s.tolerance !== null) checkValue(s.tolerance, 'the tolerance', ctx, false);
  if (s.op === '=') {
    ctx.reporter.must(s.tolerance !== null, '`=` in a claim needs a tolerance', s.opSpan, 'write `= value +- tol`, or use `==` for exact equality');
  } else if (s.tolerance !== null) {
    ctx.reporter.error('`+-` only goes with `=`', s.tolerance, `write \`= value +- tol\` instead of \`${s.op}\``);
  }
}
