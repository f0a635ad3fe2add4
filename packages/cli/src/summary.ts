// The end of a run: final values, the last decade's slope, claims, and their text and JSON forms.
import type { ClaimSetting } from '@descent/dsl';
import { ClaimError, evaluateClaim, type Claim, type ClaimFn } from './claims.js';
import { fitSlope, lastDecadeOf, type Fit } from './fit.js';
import { fmt, fmtDuration } from './format.js';
import { terminalChart } from './plot/terminal.js';
import type { LogRecord } from './runlog.js';
import type { Divergence, RunStatus } from './train.js';

/** One claim of the file with what the run measured. */
export interface ClaimOutcome {
  /** The claim as written in the file: `slope(loss, 1e4, 1e5) = -3 +- 0.3`. */
  readonly claim: string;
  readonly line: number;
  /** NaN (written "NaN" in JSON) when it could not be measured. */
  readonly measured: number;
  readonly pass: boolean;
  /** `slope(loss, 1e4, 1e5) = -2.93  (want -3 ± 0.3)  PASS`. */
  readonly text: string;
  readonly reason?: string;
  /** The run did not complete (interrupted, diverged): the claim was not checked, and does not pass. */
  readonly notChecked?: boolean;
}

/** The summary of one run, as in run.json and `--json`. */
export interface RunSummary {
  readonly status: RunStatus;
  /** The last step computed, and the steps asked for. */
  readonly step: number;
  readonly steps: number;
  readonly finalLoss: number;
  readonly metrics: Readonly<Record<string, number | readonly number[]>>;
  /** Log-log slope of the loss over the last decade of logged steps; null when it cannot be fitted. */
  readonly slope: { readonly value: number; readonly window: readonly [number, number]; readonly r2: number; readonly points: number } | null;
  readonly wallSeconds: number;
  /** Seconds inside evaluations and optimizer steps (the rest of wallSeconds is logging and bookkeeping). */
  readonly computeSeconds: number;
  readonly stepsPerSecond: number;
  readonly claims: readonly ClaimOutcome[];
  readonly claimsPassed: number;
  readonly allClaimsPass: boolean;
  readonly divergence?: Divergence;
}

const FNS: readonly string[] = ['slope', 'rate', 'final', 'min', 'max', 'mean'];

/** The CLI's claim of a DSL claim setting. */
export function toClaim(c: ClaimSetting): Claim {
  return {
    fn: c.fn as ClaimFn, series: c.series, args: c.args, op: c.op, value: c.value,
    ...(c.against !== undefined ? { against: c.against } : {}), ...(c.tol !== undefined ? { tol: c.tol } : {}),
  };
}

/** The claims of a run that did not complete: each "not checked", with why; none passes. */
export function uncheckedClaims(claims: readonly ClaimSetting[], why: string): ClaimOutcome[] {
  return claims.map((c) => ({ claim: c.text, line: c.line, measured: NaN, pass: false, notChecked: true, text: `${c.text}  (not checked: ${why})`, reason: `not checked: ${why}` }));
}

/** Evaluates the file's claims on a log; a claim that does not fit the log fails with its reason. */
export function checkClaims(claims: readonly ClaimSetting[], records: readonly LogRecord[]): ClaimOutcome[] {
  return claims.map((c) => {
    try {
      if (!FNS.includes(c.fn)) throw new ClaimError(`unknown claim function ${c.fn}`);
      const r = evaluateClaim(toClaim(c), records);
      return { claim: c.text, line: c.line, measured: r.measured, pass: r.pass, text: r.text, ...(r.reason ? { reason: r.reason } : {}) };
    } catch (e) {
      if (!(e instanceof ClaimError)) throw e;
      return { claim: c.text, line: c.line, measured: NaN, pass: false, text: `${c.text}  (${e.message})  FAIL`, reason: e.message };
    }
  });
}

/** The loss's log-log fit over the last decade of logged steps. */
export function tailFit(records: readonly LogRecord[]): Fit | null {
  const steps = records.map((r) => r.step);
  const w = lastDecadeOf(steps);
  if (!w) return null;
  const r = fitSlope(steps, records.map((x) => x.loss), w[0], w[1]);
  return r.ok ? r.fit : null;
}

export interface SummaryInput {
  readonly status: RunStatus;
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  readonly metrics: Readonly<Record<string, number | readonly number[]>>;
  readonly records: readonly LogRecord[];
  readonly claims: readonly ClaimSetting[];
  readonly seconds: number;
  readonly computeSeconds: number;
  readonly divergence?: Divergence;
}

export function summarize(s: SummaryInput): RunSummary {
  // a diverged run has no meaningful slope; its claims and an interrupted run's are not checked
  const fit = s.status === 'diverged' ? null : tailFit(s.records);
  const why = s.status === 'interrupted' ? `the run was interrupted at step ${s.step}` : `the run diverged at step ${s.divergence?.step ?? s.step}`;
  const claims = s.status === 'completed' ? checkClaims(s.claims, s.records) : uncheckedClaims(s.claims, why);
  const passed = claims.filter((c) => c.pass).length;
  return {
    status: s.status,
    step: s.step,
    steps: s.steps,
    finalLoss: s.loss,
    metrics: s.metrics,
    slope: fit ? { value: fit.slope, window: [fit.t0, fit.t1], r2: fit.r2, points: fit.n } : null,
    wallSeconds: s.seconds,
    computeSeconds: s.computeSeconds,
    stepsPerSecond: s.seconds > 0 ? s.step / s.seconds : 0,
    claims,
    claimsPassed: passed,
    allClaimsPass: passed === claims.length,
    ...(s.divergence ? { divergence: s.divergence } : {}),
  };
}

/** "1.25" or "[0.5, 0.5]" for a metric value. */
export function fmtValue(v: number | readonly number[]): string {
  return typeof v === 'number' ? fmt(v, 4) : `[${v.map((x) => fmt(x, 4)).join(', ')}]`;
}

const grouped = (n: number): string => Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** The divergence sentence: "diverged at step 12: the gradient of w is not finite". */
export function divergenceText(d: Divergence): string {
  const what = d.what === 'loss' ? `the loss is not finite${d.detail ? ` (${d.detail})` : ''}` : `the ${d.what} is not finite`;
  return `diverged at step ${grouped(d.step)}: ${what}`;
}

/**
 * The printed summary: status line, final loss and metrics, slope, timing, claims, and a small
 * terminal chart of the loss.
 */
export function summaryText(name: string, sum: RunSummary, records: readonly LogRecord[], outDir: string, chart = true): string {
  const lines: string[] = [];
  const state =
    sum.status === 'completed' ? `completed ${grouped(sum.step)} steps`
    : sum.status === 'interrupted' ? `interrupted at step ${grouped(sum.step)} of ${grouped(sum.steps)}`
    : sum.divergence ? divergenceText(sum.divergence) : 'diverged';
  lines.push(`${name}: ${state} → ${outDir}`);
  const rows: [string, string][] = [['final loss', fmt(sum.finalLoss, 4)]];
  for (const [k, v] of Object.entries(sum.metrics)) rows.push([k, fmtValue(v)]);
  rows.push([
    'slope (last decade)',
    sum.status === 'diverged' ? 'n/a (the run diverged)' : sum.slope ? `${fmt(sum.slope.value, 3)}  (log-log fit of the loss over steps [${fmt(sum.slope.window[0])}, ${fmt(sum.slope.window[1])}], ${sum.slope.points} points)` : 'n/a (too few positive logged points)',
  ]);
  rows.push(['wall time', `${fmtDuration(sum.wallSeconds)}  (${grouped(sum.stepsPerSecond)} steps/s)`]);
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v] of rows) lines.push(`  ${k.padEnd(w)}  ${v}`);
  if (sum.claims.length > 0 && sum.claims.every((c) => c.notChecked)) {
    lines.push(`claims: ${sum.claims.length} not checked (the run did not complete)`);
    for (const c of sum.claims) lines.push(`  ----  ${c.text}`);
  } else if (sum.claims.length > 0) {
    lines.push(`claims: ${sum.claimsPassed}/${sum.claims.length} pass`);
    for (const c of sum.claims) lines.push(`  ${c.pass ? 'PASS' : 'FAIL'}  ${c.text.replace(/\s+(PASS|FAIL)$/, '')}`);
  } else {
    lines.push('claims: none in the file');
  }
  if (chart && records.length >= 2) {
    lines.push('');
    lines.push(terminalChart(records.map((r) => r.step), records.map((r) => r.loss), { width: 56, height: 10, xLabel: 'step' }).replace(/\n+$/, ''));
  }
  return `${lines.join('\n')}\n`;
}
