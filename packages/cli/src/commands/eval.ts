// `descent eval MODEL [--params P.json] [--step T]`: loss, gradients and metrics at given values or the initialization.
import { EXIT } from '../errors.js';
import type { CommandArgs, Io } from '../io.js';
import { nameRecord, nest, readParams, type Nested } from '../params-io.js';
import { configFromFlags, setup } from '../setup.js';
import { fmtValue } from '../summary.js';
import { jsonReplacer } from './run.js';

/**
 * The gradient is of the objective as written: for `maximize`, the gradient of the maximized
 * value (the optimizer descends its negative). Parameters set by an `update` rule have none.
 * Numbers are printed with every digit (JSON round-trips doubles), so two evals are bit-identical.
 */
export async function evalCommand(a: CommandArgs, io: Io): Promise<number> {
  const config = configFromFlags(a.positionals[0]!, a.flags, 'eval');
  const s = setup(config, 'eval');
  const program = s.program;
  program.initialize();
  if (a.flags.params !== undefined) {
    const values = readParams(a.flags.params, program.paramInfo);
    values.forEach((v, i) => program.params[i]!.set(v));
  }
  program.setStep(a.flags.step ?? 0);
  const { objective, grads } = program.evaluate();
  const sign = program.settings.objective === 'minimize' ? 1 : -1;
  const grad = nameRecord<Nested>();
  let k = 0;
  for (const p of program.paramInfo) {
    if (p.updated) continue;
    const g = grads[k++]!;
    grad[p.name] = nest(sign === 1 ? g : g.map((x) => -x), p.shape);
  }
  const metrics = program.metrics();
  if (a.flags.json) {
    io.stdout(`${JSON.stringify({ loss: objective, grad, metrics }, jsonReplacer)}\n`);
    return EXIT.ok;
  }
  const lines = [`${program.settings.objective === 'minimize' ? 'loss' : 'objective (maximized)'}  ${objective}`];
  if (Object.keys(metrics).length > 0) {
    lines.push('metrics');
    for (const [name, v] of Object.entries(metrics)) lines.push(`  ${name}  ${fmtValue(v)}`);
  }
  lines.push(`gradient${sign === -1 ? ' of the maximized objective' : ''}`);
  for (const [name, g] of Object.entries(grad)) lines.push(`  ${name}  ${JSON.stringify(g, jsonReplacer)}`);
  const updated = program.paramInfo.filter((p) => p.updated).map((p) => p.name);
  if (updated.length > 0) lines.push(`  (${updated.join(', ')}: set by update rules, no gradient)`);
  io.stdout(`${lines.join('\n')}\n`);
  return EXIT.ok;
}
