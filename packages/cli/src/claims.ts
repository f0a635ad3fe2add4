// Claims checked against a run's log: slope, rate, final, min, max, mean, with their PASS/FAIL text.
import { fitRate, fitSlope, lastDecadeOf } from './fit.js';
import { fmt, fmtExact } from './format.js';
import type { LogRecord } from './runlog.js';
import type { ClaimTerm } from '@descent/dsl';

export type ClaimFn = 'slope' | 'rate' | 'final' | 'min' | 'max' | 'mean';
export type ClaimOp = '=' | '<' | '<=' | '>' | '>=' | '==' | '!=';

const FNS: readonly string[] = ['slope', 'rate', 'final', 'min', 'max', 'mean'];

/** A claim as compiled from `claim fn(series, args…) op value [+- tol]`. */
export interface Claim {
  readonly fn: ClaimFn;
  readonly series: string;
  readonly args: readonly number[];
  readonly op: ClaimOp;
  readonly value: number;
  /** A value side with measurements (`final(a) < final(b)`); `value` is then unused. */
  readonly against?: ClaimTerm;
  /** For '=': pass when |measured − value| ≤ tol. */
  readonly tol?: number;
}

export interface ClaimResult {
  readonly claim: Claim;
  /** The measured quantity; NaN when it could not be measured (see `reason`). */
  readonly measured: number;
  readonly pass: boolean;
  /** One line: `slope(loss, 1e4, 1e5) = -2.93  (want -3 ± 0.3)  PASS`. */
  readonly text: string;
  /** Why the value could not be measured, or what the fit left out. */
  readonly reason?: string;
}

/** '=' without a tolerance compares with this relative slack (a claim rarely wants bit equality). */
export const DEFAULT_REL_TOL = 1e-9;

/**
 * The values of one series, one per record (NaN where a record lacks it).
 * Supported names: `loss`; a scalar metric `name`; a component `name[i]` of a vector metric
 * (0-based, as in the language). A vector metric named without an index is an error, since
 * final/min/max/slope are defined for scalars.
 */
export function seriesOf(records: readonly LogRecord[], series: string): { steps: number[]; values: number[] } {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?$/.exec(series.trim());
  if (!m) throw new ClaimError(`"${series}" is not a series name (use loss, a metric, or metric[i])`);
  const name = m[1]!;
  const index = m[2] === undefined ? null : Number(m[2]);
  const known = new Set<string>(['loss']);
  for (const r of records) for (const k of Object.keys(r.metrics)) known.add(k);
  if (!known.has(name)) {
    throw new ClaimError(`no series "${name}" in the log; it has ${[...known].join(', ')}`);
  }
  if (name === 'loss' && index !== null) throw new ClaimError(`loss is a scalar; it has no component [${index}]`);
  const steps: number[] = [];
  const values: number[] = [];
  for (const r of records) {
    steps.push(r.step);
    const raw = name === 'loss' ? r.loss : r.metrics[name];
    if (raw === undefined) {
      values.push(NaN);
    } else if (typeof raw === 'number') {
      if (index !== null) throw new ClaimError(`${name} is a scalar; it has no component [${index}]`);
      values.push(raw);
    } else {
      if (index === null) throw new ClaimError(`${name} is a vector of ${raw.length}; name a component, e.g. ${name}[0]`);
      if (index >= raw.length) throw new ClaimError(`${name}[${index}] is out of range: ${name} has ${raw.length} components`);
      values.push(raw[index]!);
    }
  }
  return { steps, values };
}

/** A claim that cannot be evaluated against this log at all (unknown series, bad arguments). */
export class ClaimError extends Error {
  override readonly name = 'ClaimError';
}

/** The claim as the user wrote it: `slope(loss, 1e4, 1e5) = -3 +- 0.3`. */
export function claimSource(c: Claim): string {
  const args = [c.series, ...c.args.map(fmtExact)].join(', ');
  const tol = c.tol !== undefined ? ` +- ${fmtExact(c.tol)}` : '';
  return `${c.fn}(${args}) ${c.op} ${fmtExact(c.value)}${tol}`;
}

function wanted(c: Claim): string {
  if (c.op === '=') return c.tol !== undefined ? `${fmtExact(c.value)} ± ${fmtExact(c.tol)}` : `= ${fmtExact(c.value)}`;
  return `${c.op} ${fmtExact(c.value)}`;
}

function compare(c: Claim, x: number): boolean {
  if (Number.isNaN(x)) return false;
  switch (c.op) {
    case '=':
      return Math.abs(x - c.value) <= (c.tol ?? DEFAULT_REL_TOL * Math.max(1, Math.abs(c.value)));
    case '==':
      return x === c.value;
    case '!=':
      return x !== c.value;
    case '<':
      return x < c.value;
    case '<=':
      return x <= c.value;
    case '>':
      return x > c.value;
    case '>=':
      return x >= c.value;
  }
}

/** A step for messages: 1e4 rather than 10000 for round powers of ten. */
function fmtStep(x: number): string {
  const k = Math.log10(x);
  return x >= 1e4 && Number.isInteger(k) ? `1e${k}` : fmtExact(x);
}

/**
 * Why an explicit window cannot be measured on this log: it reaches past the last step (a window is
 * never silently shortened), or null.
 */
export function windowPastEnd(args: readonly number[], lastStep: number): string | null {
  if (args.length !== 2) return null;
  const [t0, t1] = args as [number, number];
  return t1 > lastStep ? `window [${fmtStep(t0)}, ${fmtStep(t1)}] ends after the last step ${lastStep}` : null;
}

/** The window [t0, t1] of a windowed claim: its two args, or the last decade of the log. */
function window(c: Claim, steps: readonly number[]): [number, number] {
  if (c.args.length === 2) return [c.args[0]!, c.args[1]!];
  if (c.args.length === 0) {
    const w = lastDecadeOf(steps);
    if (!w) throw new ClaimError(`${c.fn}(${c.series}): the log has no positive step`);
    return w;
  }
  throw new ClaimError(`${c.fn}(${c.series}, …) takes a window of two steps, or none for the last decade`);
}

function measure(c: Claim, records: readonly LogRecord[]): { measured: number; reason?: string } {
  if (!FNS.includes(c.fn)) throw new ClaimError(`unknown claim function ${String(c.fn)}; known: ${FNS.join(', ')}`);
  const { steps, values } = seriesOf(records, c.series);
  if (records.length === 0) return { measured: NaN, reason: 'the log is empty' };
  const past = windowPastEnd(c.args, steps[steps.length - 1]!);
  if (past !== null) return { measured: NaN, reason: past };
  switch (c.fn) {
    case 'slope':
    case 'rate': {
      const [t0, t1] = window(c, steps);
      const r = (c.fn === 'slope' ? fitSlope : fitRate)(steps, values, t0, t1);
      if (!r.ok) return { measured: NaN, reason: r.reason };
      return r.fit.note ? { measured: r.fit.slope, reason: r.fit.note } : { measured: r.fit.slope };
    }
    case 'final':
      if (c.args.length > 0) throw new ClaimError(`final(${c.series}) takes no further arguments`);
      return { measured: values[values.length - 1]! };
    case 'min':
    case 'max':
    case 'mean': {
      let lo = -Infinity;
      let hi = Infinity;
      if (c.args.length === 2) [lo, hi] = [c.args[0]!, c.args[1]!];
      else if (c.args.length !== 0) throw new ClaimError(`${c.fn}(${c.series}, …) takes a window of two steps, or none`);
      const xs = values.filter((_, i) => steps[i]! >= lo && steps[i]! <= hi);
      if (xs.length === 0) return { measured: NaN, reason: `no records in [${lo}, ${hi}]` };
      // NaN propagates on purpose: a diverged series must not pass min/max/mean claims
      if (c.fn === 'mean') return { measured: xs.reduce((a, b) => a + b, 0) / xs.length };
      if (xs.some(Number.isNaN)) return { measured: NaN, reason: 'the series has NaN values' };
      let best = xs[0]!;
      for (const x of xs) best = c.fn === 'min' ? Math.min(best, x) : Math.max(best, x);
      return { measured: best };
    }
  }
}

/**
 * Evaluates one claim against the records of a run. Never throws for data problems (those fail the
 * claim with a reason); throws ClaimError for a claim that does not fit the log (unknown series).
 * @example
 *   evaluateClaim({ fn: 'final', series: 'loss', args: [], op: '<', value: 1e-8 }, records).text
 *   // 'final(loss) = 3.2e-9  (want < 1e-8)  PASS'
 */
export function evaluateClaim(claim: Claim, records: readonly LogRecord[]): ClaimResult {
  const every = /^(.*)\[\*\]$/.exec(claim.series);
  if (every) return evaluateEvery(claim, every[1]!, records);
  const side: { value: number; text: string; reason?: string } = claim.against === undefined ? { value: claim.value, text: '' } : valueOf(claim.against, records);
  const c: Claim = { ...claim, value: side.value };
  const measuredSide = measure(c, records);
  const measured = measuredSide.measured;
  const reason = measuredSide.reason ?? side.reason;
  const pass = compare(c, measured) && !Number.isNaN(side.value);
  const args = [claim.series, ...claim.args.map(fmtExact)].join(', ');
  const shown = Number.isNaN(measured) ? `n/a${measuredSide.reason ? ` (${measuredSide.reason})` : ''}` : fmt(measured);
  const want = claim.against === undefined ? wanted(c) : `${c.op === '=' ? '' : `${c.op} `}${side.text} = ${Number.isNaN(side.value) ? 'n/a' : fmt(side.value)}${c.tol !== undefined ? ` ± ${fmtExact(c.tol)}` : ''}`;
  const text = `${claim.fn}(${args}) = ${shown}  (want ${want})  ${pass ? 'PASS' : 'FAIL'}`;
  return reason ? { claim, measured, pass, text, reason } : { claim, measured, pass, text };
}

/** The value side of a claim over measurements, with its text; NaN with a reason when one cannot be measured. */
function valueOf(t: ClaimTerm, records: readonly LogRecord[]): { value: number; text: string; reason?: string } {
  switch (t.kind) {
    default:
      throw new ClaimError('unknown claim value');
    case 'number':
      return { value: t.value, text: fmtExact(t.value) };
    case 'measure': {
      const every = /\[\*\]$/.test(t.series);
      if (every) throw new ClaimError(`${t.text}: \`[*]\` is for the measured side of a claim, not its value`);
      const m = measure({ fn: t.fn as ClaimFn, series: t.series, args: t.args, op: '==', value: 0 }, records);
      return m.reason !== undefined && Number.isNaN(m.measured) ? { value: NaN, text: t.text, reason: `${t.text}: ${m.reason}` } : { value: m.measured, text: t.text };
    }
    case 'neg': {
      const a = valueOf(t.a, records);
      return { ...a, value: -a.value, text: `-${a.text}` };
    }
    case 'op': {
      const a = valueOf(t.a, records);
      const b = valueOf(t.b, records);
      const value = t.op === '+' ? a.value + b.value : t.op === '-' ? a.value - b.value : t.op === '*' ? a.value * b.value : a.value / b.value; // eslint-disable-line no-nested-ternary
      const reason = a.reason ?? b.reason;
      return { value, text: `${a.text} ${t.op} ${b.text}`, ...(reason !== undefined ? { reason } : {}) };
    }
  }
}

/** `final(norm[*]) = 1 / n +- 0.05`: the claim of every element; it passes when each one does. */
function evaluateEvery(claim: Claim, name: string, records: readonly LogRecord[]): ClaimResult {
  const sample = records.map((r) => r.metrics[name]).find((v) => v !== undefined);
  if (sample === undefined) throw new ClaimError(`no series "${name}" in the log`);
  if (typeof sample === 'number') throw new ClaimError(`${name} is a number; \`${name}[*]\` is for a vector metric`);
  const results = sample.map((_, i) => evaluateClaim({ ...claim, series: `${name}[${i}]` }, records));
  const failed = results.find((r) => !r.pass);
  const values = results.map((r) => r.measured).filter((x) => !Number.isNaN(x));
  const lo = values.length ? Math.min(...values) : NaN;
  const hi = values.length ? Math.max(...values) : NaN;
  const args = [claim.series, ...claim.args.map(fmtExact)].join(', ');
  const range = values.length === 0 ? 'n/a' : lo === hi ? fmt(lo) : `${fmt(lo)} … ${fmt(hi)}`;
  const reason = failed === undefined ? undefined : `${failed.claim.series} fails: ${failed.text.replace(/\s+FAIL$/, '')}`;
  const worst = failed?.measured ?? (values.length ? hi : NaN);
  const text = `${claim.fn}(${args}) = ${range} over ${results.length} elements  (want ${claim.against === undefined ? wanted(claim) : 'each as claimed'})${reason ? `; ${reason}` : ''}  ${failed === undefined ? 'PASS' : 'FAIL'}`;
  return reason ? { claim, measured: worst, pass: failed === undefined, text, reason } : { claim, measured: worst, pass: true, text };
}

/** Evaluates all claims; `allPass` is true for an empty list. */
export function evaluateClaims(claims: readonly Claim[], records: readonly LogRecord[]): { results: ClaimResult[]; allPass: boolean } {
  const results = claims.map((c) => evaluateClaim(c, records));
  return { results, allPass: results.every((r) => r.pass) };
}
