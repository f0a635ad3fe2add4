// `descent verify MODEL...`: run each model (quietly) and check every claim; exit 1 when one fails.
import * as path from 'node:path';
import { EXIT } from '../errors.js';
import { defaultOutDir, executeRun, prepareOutDir } from '../execute.js';
import { fmt, fmtDuration } from '../format.js';
import type { CommandArgs, Io } from '../io.js';
import { Progress } from '../progress.js';
import { configFromFlags, setup, type Setup } from '../setup.js';
import { StopRequest } from '../signals.js';
import { divergenceText, type RunSummary } from '../summary.js';
import { jsonReplacer } from './run.js';

interface Verified {
  readonly model: string;
  readonly outDir: string;
  readonly summary: RunSummary;
}

/** The claims table: one row per claim (or per model without claims). */
export function claimsTable(results: readonly Verified[]): string {
  const rows: string[][] = [['model', 'claim', 'measured', 'result']];
  for (const r of results) {
    const note = r.summary.status === 'completed' ? '' : r.summary.divergence ? ` (${divergenceText(r.summary.divergence)})` : ` (${r.summary.status})`;
    if (r.summary.claims.length === 0) rows.push([r.model, `no claims${note}`, '', r.summary.status === 'completed' ? 'PASS' : 'FAIL']);
    for (const c of r.summary.claims) rows.push([r.model, c.claim, Number.isNaN(c.measured) ? `n/a${c.reason ? ` (${c.reason})` : ''}` : fmt(c.measured, 4), `${c.pass ? 'PASS' : 'FAIL'}${note}`]);
  }
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  return rows.map((r) => r.map((cell, j) => (j === r.length - 1 ? cell : cell.padEnd(widths[j]!))).join('  ').trimEnd()).join('\n');
}

/** A model passes when its run completed and every claim holds. */
const passes = (s: RunSummary): boolean => s.status === 'completed' && s.allClaimsPass;

export async function verifyCommand(a: CommandArgs, io: Io): Promise<number> {
  const { flags } = a;
  // compile everything first, so a typo in the last model fails before any run
  const setups: Setup[] = a.positionals.map((m) => setup(configFromFlags(m, flags, 'verify'), 'verify'));
  const names = setups.map((s) => s.model.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  const outDirs = setups.map((s, i) => (flags.out ? path.join(flags.out, dup ? `${i}-${s.model.name}` : s.model.name) : defaultOutDir(s.model.name)));
  outDirs.forEach((d) => prepareOutDir(d, flags.force, 'verify'));
  const stop = new StopRequest().install();
  const results: Verified[] = [];
  try {
    for (const [i, s] of setups.entries()) {
      if (stop.requested()) break;
      const progress = new Progress({ total: s.steps, quiet: true });
      const o = await executeRun({ setup: s, outDir: outDirs[i]!, progress, shouldStop: stop.requested, argv: a.argv });
      results.push({ model: s.model.name, outDir: o.outDir, summary: o.summary });
      if (!flags.quiet && !flags.json) {
        const sum = o.summary;
        const claims = sum.claims.length ? `${sum.claimsPassed}/${sum.claims.length} claims pass` : 'no claims';
        io.stderr(`${passes(sum) ? 'PASS' : 'FAIL'}  ${s.model.name}: ${sum.status === 'diverged' && sum.divergence ? divergenceText(sum.divergence) : `${sum.status}, final loss ${fmt(sum.finalLoss)}`}, ${claims} (${fmtDuration(sum.wallSeconds)}) → ${o.outDir}\n`);
      }
    }
  } finally {
    stop.dispose();
  }
  const allPass = results.length === setups.length && results.every((r) => passes(r.summary));
  if (flags.json) {
    io.stdout(`${JSON.stringify({ pass: allPass, models: results }, jsonReplacer, 2)}\n`);
  } else {
    io.stdout(`${claimsTable(results)}\n`);
    const failed = results.filter((r) => !passes(r.summary)).length;
    io.stdout(allPass ? `all ${results.length} model${results.length === 1 ? '' : 's'} verified\n` : `${failed} of ${setups.length} model${setups.length === 1 ? '' : 's'} failed${results.length < setups.length ? ` (${setups.length - results.length} not run)` : ''}\n`);
  }
  if (stop.signal) return stop.exitCode()!;
  return allPass ? EXIT.ok : EXIT.failed;
}
