// `descent verify MODEL...`: run each model (quietly) and check every claim; exit 1 when one fails.
import type { ClaimSetting } from '@descent/dsl';
import * as path from 'node:path';
import { CLAIMS_READ_LIMIT, readTextBounded, ReadRefused } from '../bounded-read.js';
import { CliError, EXIT } from '../errors.js';
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
    for (const c of r.summary.claims) {
      // a claim of a run that did not complete was not measured: "not checked", never PASS
      const measured = c.notChecked ? '' : Number.isNaN(c.measured) ? `n/a${c.reason ? ` (${c.reason})` : ''}` : fmt(c.measured, 4);
      rows.push([r.model, c.claim, measured, `${c.notChecked ? 'NOT CHECKED' : c.pass ? 'PASS' : 'FAIL'}${note}`]);
    }
  }
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  return rows.map((r) => r.map((cell, j) => (j === r.length - 1 ? cell : cell.padEnd(widths[j]!))).join('  ').trimEnd()).join('\n');
}

/**
 * `--claims FILE`: its `claim` lines (blank lines and `#` comments aside), checked instead of each
 * model's own claims. They are compiled against each model with the run's --set values, so a
 * claim may use the model's dims and lets (`final(norm[0]) = 1 / n +- 0.05`) and must name its
 * metrics.
 */
function readClaimsFile(file: string): string {
  let text: string;
  try {
    text = readTextBounded(file, CLAIMS_READ_LIMIT);
  } catch (e) {
    if (!(e instanceof ReadRefused)) throw e;
    throw new CliError(`descent verify: cannot read --claims ${file}: it ${e.reason}.`);
  }
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const bad = lines.find((l) => !/^claim\s/.test(l));
  if (bad !== undefined) throw new CliError(`descent verify: --claims ${file}: every line should be a claim (e.g. "claim final(loss) < 1e-3") or a # comment; got ${JSON.stringify(bad.length > 80 ? `${bad.slice(0, 80)}…` : bad)}.`);
  if (lines.length === 0) throw new CliError(`descent verify: --claims ${file} has no claim lines.`);
  return lines.join('\n');
}

/** The claims of `text` compiled against the model of `s` (its source with them appended). */
function claimsFor(s: Setup, text: string, file: string): readonly ClaimSetting[] {
  const own = s.program.claims.length;
  try {
    const extended = setup(s.config, 'verify', { ...s.model, source: `${s.model.source}\n${text}\n` });
    return extended.program.claims.slice(own);
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    const detail = e.message.replace(/^descent verify: [^\n]*\n?/, '');
    throw new CliError(`descent verify: the claims of --claims ${file} do not compile against ${s.model.name} (they are read after its last line):\n${detail}`);
  }
}

/** A model passes when its run completed and every claim holds. */
const passes = (s: RunSummary): boolean => s.status === 'completed' && s.allClaimsPass;

export async function verifyCommand(a: CommandArgs, io: Io): Promise<number> {
  const { flags } = a;
  // compile everything first, so a typo in the last model fails before any run
  const setups: Setup[] = a.positionals.map((m) => setup(configFromFlags(m, flags, 'verify'), 'verify'));
  const claimsText = flags.claims !== undefined ? readClaimsFile(flags.claims) : undefined;
  const replaced = setups.map((s) => (claimsText !== undefined ? claimsFor(s, claimsText, flags.claims!) : undefined));
  const names = setups.map((s) => s.model.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  const outDirs = setups.map((s, i) => (flags.out ? path.join(flags.out, dup ? `${i}-${s.model.name}` : s.model.name) : defaultOutDir(s.model.name)));
  const locks = [];
  try {
    for (const d of outDirs) locks.push(prepareOutDir(d, flags.force, 'verify'));
  } catch (e) {
    for (const l of locks) l.release();
    throw e;
  }
  const stop = new StopRequest().install();
  const results: Verified[] = [];
  try {
    for (const [i, s] of setups.entries()) {
      if (stop.requested()) break;
      const progress = new Progress({ total: s.steps, quiet: true });
      const claims = replaced[i];
      const o = await executeRun({ setup: s, outDir: outDirs[i]!, progress, shouldStop: stop.requested, argv: a.argv, command: 'verify', ...(claims ? { claims } : {}) });
      results.push({ model: s.model.name, outDir: o.outDir, summary: o.summary });
      if (!flags.quiet && !flags.json) {
        const sum = o.summary;
        const claims = sum.claims.length === 0 ? 'no claims'
          : sum.claims.every((c) => c.notChecked) ? `${sum.claims.length} claim${sum.claims.length === 1 ? '' : 's'} not checked` : `${sum.claimsPassed}/${sum.claims.length} claims pass`;
        io.stderr(`${passes(sum) ? 'PASS' : 'FAIL'}  ${s.model.name}: ${sum.status === 'diverged' && sum.divergence ? divergenceText(sum.divergence) : `${sum.status}, final loss ${fmt(sum.finalLoss)}`}, ${claims} (${fmtDuration(sum.wallSeconds)}) → ${o.outDir}\n`);
      }
    }
  } finally {
    stop.dispose();
    for (const l of locks) l.release();
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
