// Least-squares rates of a logged series: log-log slope (power laws) and log-linear rate (exponentials).
import { fmtExact } from './format.js';

/** A fitted line over a window: log y ≈ intercept + slope · X, with X = ln t (slope) or t (rate). */
export interface Fit {
  readonly kind: 'slope' | 'rate';
  /** d ln y / d ln t (kind 'slope'), or d ln y / dt (kind 'rate'). */
  readonly slope: number;
  /** ln y at X = 0. */
  readonly intercept: number;
  /** Coefficient of determination of the line in log space (1 = exact). */
  readonly r2: number;
  /** Points used. */
  readonly n: number;
  /** The window asked for (inclusive). */
  readonly t0: number;
  readonly t1: number;
  /** Points in the window left out because y (or, for 'slope', t) was not positive or finite. */
  readonly ignored: number;
  /** Why points were left out, if any were. */
  readonly note?: string;
}

export type FitOutcome = { readonly ok: true; readonly fit: Fit } | { readonly ok: false; readonly reason: string };

/**
 * Least-squares slope of ln y against ln t over t ∈ [t0, t1]: y ∝ t^slope.
 * @example fitSlope([1, 10, 100], [1, 1e-3, 1e-6], 1, 100)  // { ok: true, fit: { slope: -3, … } }
 */
export function fitSlope(t: readonly number[], y: readonly number[], t0: number, t1: number): FitOutcome {
  return fitLine('slope', t, y, t0, t1);
}

/** Least-squares slope of ln y against t over t ∈ [t0, t1]: y ∝ e^(rate·t); negative = exponential decay. */
export function fitRate(t: readonly number[], y: readonly number[], t0: number, t1: number): FitOutcome {
  return fitLine('rate', t, y, t0, t1);
}

/** The last decade [tMax/10, tMax] of a positive step range, the window of the rate-check recipe. */
export function lastDecade(tMax: number): [number, number] {
  return [tMax / 10, tMax];
}

/** The last decade of the largest positive finite t, or null if there is none. */
export function lastDecadeOf(t: readonly number[]): [number, number] | null {
  let max = -Infinity;
  for (const v of t) if (Number.isFinite(v) && v > max) max = v;
  return max > 0 ? lastDecade(max) : null;
}

/** The fitted curve's value at t: e^intercept · t^slope, or e^(intercept + rate·t). */
export function fitValue(fit: Fit, t: number): number {
  return Math.exp(fit.intercept + fit.slope * (fit.kind === 'slope' ? Math.log(t) : t));
}

function fitLine(kind: Fit['kind'], t: readonly number[], y: readonly number[], t0: number, t1: number): FitOutcome {
  if (t.length !== y.length) return { ok: false, reason: `${t.length} steps but ${y.length} values` };
  if (!(t0 <= t1)) return { ok: false, reason: `empty window [${fmtExact(t0)}, ${fmtExact(t1)}]` };
  const xs: number[] = [];
  const ys: number[] = [];
  let badY = 0;
  let badT = 0;
  for (let i = 0; i < t.length; i++) {
    const ti = t[i]!;
    if (!(ti >= t0 && ti <= t1)) continue;
    const yi = y[i]!;
    if (kind === 'slope' && !(ti > 0)) badT++;
    else if (!(yi > 0) || !Number.isFinite(yi)) badY++;
    else {
      xs.push(kind === 'slope' ? Math.log(ti) : ti);
      ys.push(Math.log(yi));
    }
  }
  const reasons: string[] = [];
  if (badY > 0) reasons.push(`${badY} value${badY > 1 ? 's' : ''} not positive and finite (no logarithm)`);
  if (badT > 0) reasons.push(`step 0 has no logarithm`);
  const note = reasons.length > 0 ? `ignored ${reasons.join('; ')}` : undefined;
  if (xs.length < 2) {
    const found = xs.length === 0 ? 'no usable points' : 'only one usable point';
    return { ok: false, reason: `${found} in [${fmtExact(t0)}, ${fmtExact(t1)}]${note ? `; ${note}` : ''}` };
  }
  // Centered sums: slope = Σ(x−x̄)(y−ȳ) / Σ(x−x̄)², stable for t up to 1e9 in 'rate' fits.
  const n = xs.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i]!;
    my += ys[i]!;
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) return { ok: false, reason: `all usable points in [${fmtExact(t0)}, ${fmtExact(t1)}] are at one step` };
  const slope = sxy / sxx;
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  const fit: Fit = { kind, slope, intercept: my - slope * mx, r2, n, t0, t1, ignored: badY + badT, ...(note ? { note } : {}) };
  return { ok: true, fit };
}
