// `descent check MODEL`: compile, print shapes, and compare the gradient with finite differences.
import { gradientCheck, GRAD_TOLERANCE, type ClaimTerm } from '@descent/dsl';
import { EXIT } from '../errors.js';
import { fmt, fmtExact } from '../format.js';
import type { CommandArgs, Io } from '../io.js';
import { windowPastEnd } from '../claims.js';
import { configFromFlags, optimizerText, setup } from '../setup.js';
import { jsonReplacer } from './run.js';

/** The windows of the measurements on a claim's value side. */
function measuredArgs(t: ClaimTerm | undefined): Array<readonly number[]> {
  if (t === undefined) return [];
  switch (t.kind) {
    case 'number': return [];
    case 'measure': return [t.args];
    case 'neg': return measuredArgs(t.a);
    case 'op': return [...measuredArgs(t.a), ...measuredArgs(t.b)];
  }
}

export async function checkCommand(a: CommandArgs, io: Io): Promise<number> {
  const config = configFromFlags(a.positionals[0]!, a.flags, 'check');
  const s = setup(config, 'check');
  const program = s.program;
  program.initialize();
  const { objective, grads } = program.evaluate();
  const finiteLoss = Number.isFinite(objective);
  const badGrad = grads.findIndex((g) => g.some((x) => !Number.isFinite(x)));
  const checks = finiteLoss && badGrad < 0 ? gradientCheck(program) : [];
  const problems: string[] = [];
  if (!finiteLoss) problems.push(`the objective at the initial point is ${fmt(objective)}`);
  if (badGrad >= 0) problems.push(`the gradient of ${program.paramInfo.filter((p) => !p.updated)[badGrad]!.name} at the initial point is not finite`);
  for (const c of checks) if (!c.ok) problems.push(`the gradient of ${c.param} disagrees with finite differences (relative error ${fmt(c.relError, 2)} > ${fmtExact(GRAD_TOLERANCE)})`);
  // `stop(e)` blocks gradients on purpose: finite differences of the value see through it
  const usesStop = /\bstop\s*\(/.test(s.model.source);
  const stopNote = usesStop && checks.some((c) => !c.ok)
    ? 'the model uses `stop(...)`, which blocks gradients on purpose; finite differences of the loss see through it, so a difference here may be explained by `stop`'
    : undefined;
  // a claim window past the last step would fail after the whole run: say so now
  const warnings: string[] = [];
  for (const c of program.claims) {
    const windows = [c.args, ...measuredArgs(c.against)];
    for (const w of windows) {
      const past = windowPastEnd(w, s.steps);
      if (past !== null) warnings.push(`claim on line ${c.line} (${c.text}): ${past}; it will fail`);
    }
  }
  const ok = problems.length === 0;
  if (a.flags.json) {
    const json = {
      ok,
      model: s.model.name,
      file: s.model.file,
      parameterCount: program.parameterCount,
      learnableCount: program.learnableCount,
      params: program.paramInfo.map((p) => ({ name: p.name, shape: p.shape, size: p.size, updated: p.updated })),
      metrics: program.metricInfo.map((m) => ({ name: m.name, shape: m.shape })),
      objective: { sense: program.settings.objective, initial: objective },
      gradientCheck: checks,
      problems,
      warnings,
      ...(stopNote ? { note: stopNote } : {}),
    };
    io.stdout(`${JSON.stringify(json, jsonReplacer, 2)}\n`);
  } else {
    const lines = [`${s.model.name} (${s.model.file})`, ...program.describe().split('\n').map((l) => `  ${l}`)];
    lines.push(`  ${program.settings.objective} from ${fmt(objective, 6)} with ${optimizerText(s.optimizer)} for ${s.steps} steps, seed ${s.seed}`);
    if (program.claims.length > 0) lines.push(`  ${program.claims.length} claim${program.claims.length === 1 ? '' : 's'}: ${program.claims.map((c) => c.text).join('; ')}`);
    if (checks.length > 0) {
      lines.push(`gradient check at the initial point (central differences along a random direction, Richardson; OK when relative error ≤ ${fmtExact(GRAD_TOLERANCE)}):`);
      const w = Math.max(...checks.map((c) => c.param.length));
      for (const c of checks) {
        lines.push(`  ${c.ok ? 'OK  ' : 'FAIL'}  ${c.param.padEnd(w)}  gradient ${fmt(c.analytic, 10)}  differences ${fmt(c.numeric, 10)}  relative error ${fmt(c.relError, 2)}`);
      }
    }
    for (const p of problems) lines.push(`problem: ${p}`);
    if (stopNote) lines.push(`note: ${stopNote}`);
    for (const w of warnings) lines.push(`warning: ${w}`);
    lines.push(ok ? 'all is well' : `${problems.length} problem${problems.length === 1 ? '' : 's'}`);
    io.stdout(`${lines.join('\n')}\n`);
  }
  return ok ? EXIT.ok : EXIT.failed;
}
