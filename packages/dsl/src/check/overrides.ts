// `--set name=value` overrides: only dims, number-literal lets and optimizer arguments written in the file.
import type { ProgramAst } from '../ast.js';
import { didYouMean, type Reporter } from '../diagnostics.js';
import { OPTIMIZER_ARGS } from './statements.js';
import { kindWord, type Tables } from './scope.js';

/** Optimizer argument names the file writes, named or positional (`momentum(0.1, 0.9)` sets lr, beta). */
function optimizerArgNames(program: ProgramAst): Set<string> {
  const names = new Set<string>();
  for (const s of program.statements) {
    if (s.kind !== 'OptimizerStmt') continue;
    const known = OPTIMIZER_ARGS[s.name.name] ?? [];
    s.args.forEach((a, k) => {
      const n = a.name?.name ?? known[k];
      if (n !== undefined) names.add(n);
    });
  }
  return names;
}

/**
 * Reports every bad override as an override error (`Reporter.overrideError`: at the start of the
 * file, marked `override`); messages start with `--set`. The one check of overrides: the lowering
 * and the cli rely on it.
 */
export function checkOverrides(overrides: Readonly<Record<string, number>>, program: ProgramAst, tables: Tables, reporter: Reporter): void {
  const optimizerArgs = optimizerArgNames(program);
  const settable = [...optimizerArgs];
  for (const g of tables.globals.values()) if (g.kind === 'dim' || (g.kind === 'let' && g.literal !== undefined)) settable.push(g.name);
  for (const [name, value] of Object.entries(overrides)) {
    const g = tables.globals.get(name);
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      reporter.overrideError(`--set ${name}: the value must be a finite number`);
    } else if (g !== undefined && g.kind === 'dim') {
      if (!Number.isInteger(value) || value < 1) reporter.overrideError(`--set ${name}=${value}: a dim must be a positive integer`);
    } else if (g !== undefined && g.kind === 'let') {
      if (g.literal === undefined) {
        reporter.overrideError(`--set: \`${name}\` is not a number literal and cannot be overridden`,
          `only \`let ${name} = <number>\` can be set (line ${g.line})`);
      }
    } else if (g !== undefined) {
      reporter.overrideError(`--set: \`${name}\` is a ${kindWord(g.kind)} and cannot be overridden`,
        'only dims, lets with a number value and optimizer arguments can be set');
    } else if (!optimizerArgs.has(name)) {
      reporter.overrideError(`--set: unknown name \`${name}\``, didYouMean(name, settable) ??
        (settable.length > 0 ? `settable names: ${settable.join(', ')}` : 'the file has no dims, number lets or optimizer arguments'));
    }
  }
}
