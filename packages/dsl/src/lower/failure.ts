// How lowering stops at an error: report through the one gate, then unwind to the statement.
import { NodeBudgetError, ShapeError } from '@descent/autodiff';
import type { Spanned } from '../ast.js';
import type { Reporter } from '../diagnostics.js';

/** Thrown after an error was reported; caught at statement level so later statements still lower. */
export class Reported extends Error {
  constructor() {
    super('reported');
  }
}

/** Reports `message` at `at` and unwinds. */
export function fail(reporter: Reporter, message: string, at: Spanned, hint?: string): never {
  reporter.error(message, at, hint);
  throw new Reported();
}

/**
 * Runs `body`; a ShapeError (or RangeError) from the autodiff ops becomes a diagnostic at `at`,
 * phrased for the language (`what` is the construct, e.g. "`+`" or "`dot`").
 */
export function located<T>(reporter: Reporter, at: Spanned, what: string, body: () => T): T {
  try {
    return body();
  } catch (e) {
    if (e instanceof ShapeError) {
      const detail = e.message.startsWith(`${e.op}: `) ? e.message.slice(e.op.length + 2) : e.message;
      fail(reporter, e.op === 'index' ? detail : `shape mismatch in ${what}: ${detail}`, at);
    }
    if (e instanceof RangeError) fail(reporter, `${what}: ${e.message}`, at);
    throw e;
  }
}

/** Errors already reported as over the compile budget (nested lowerers see the same error). */
const reportedBudgets = new WeakSet<NodeBudgetError>();

/**
 * Reports, once, that compiling `at` made the graph larger than the compile budget; returns the
 * error for the caller to rethrow, which stops the whole compilation (the budget is spent).
 */
export function budgetExceeded(reporter: Reporter, e: NodeBudgetError, at: Spanned): NodeBudgetError {
  if (!reportedBudgets.has(e)) {
    reportedBudgets.add(e);
    reporter.error(
      `compiling this needs more than ${e.limit.toLocaleString('en-US')} graph nodes, the compile budget`,
      at,
      'nested `grad` multiplies the graph at each level (each derivative repeats the expression it differentiates); use fewer levels or a simpler expression',
    );
  }
  return e;
}

/**
 * A construct the checker refuses reached the lowering (a name it did not resolve, an unknown
 * optimizer): a compiler bug, reported as one rather than thrown.
 */
export function unchecked(reporter: Reporter, what: string, at: Spanned): never {
  return fail(reporter, `internal error: ${what} reached the lowering unchecked`, at);
}
