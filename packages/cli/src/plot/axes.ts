// Axis scales and ticks for the charts: log axes with decade ticks, linear axes with 1-2-5 ticks.
import { fmt } from '../format.js';

export type ScaleKind = 'log' | 'linear';

/** A map from data values to pixels along one axis, with its ticks. */
export interface Axis {
  readonly kind: ScaleKind;
  /** Data range shown (for log axes, both positive). */
  readonly min: number;
  readonly max: number;
  /** Pixel position of a data value (NaN for values a log axis cannot show). */
  readonly toPixel: (v: number) => number;
  /** Labeled ticks. For log axes `exponent` is set and the label is rendered as 10^exponent. */
  readonly ticks: readonly { readonly value: number; readonly label: string; readonly exponent?: number }[];
  /** Unlabeled minor ticks (2…9 × 10^k on log axes with few decades). */
  readonly minor: readonly number[];
}

/** Whether a value can be drawn on an axis of this kind. */
export function drawable(kind: ScaleKind, v: number): boolean {
  return Number.isFinite(v) && (kind === 'linear' || v > 0);
}

/**
 * The range to show for the data: log axes are widened to whole decades when the data span two or
 * more, otherwise padded by 5% of the span (in log space for log axes); a single value gets a
 * decade (or ±1) around it.
 */
export function niceRange(kind: ScaleKind, values: Iterable<number>, widenToDecades: boolean): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!drawable(kind, v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return null;
  if (kind === 'log') {
    let a = Math.log10(lo);
    let b = Math.log10(hi);
    if (b - a < 1e-9) return [10 ** (a - 1), 10 ** (b + 1)];
    if (widenToDecades && b - a >= 2) return [10 ** Math.floor(a + 1e-9), 10 ** Math.ceil(b - 1e-9)];
    const pad = widenToDecades ? 0.05 * (b - a) : 0;
    a -= pad;
    b += pad;
    return [10 ** a, 10 ** b];
  }
  if (hi - lo === 0) return [lo - 1, hi + 1];
  const pad = widenToDecades ? 0.05 * (hi - lo) : 0;
  return [lo - pad, hi + pad];
}

/** Builds an axis of `kind` over [min, max] drawn from pixel p0 (at min) to p1 (at max). */
export function makeAxis(kind: ScaleKind, min: number, max: number, p0: number, p1: number): Axis {
  if (kind === 'log') {
    const a = Math.log10(min);
    const b = Math.log10(max);
    const toPixel = (v: number): number => (v > 0 ? p0 + ((Math.log10(v) - a) / (b - a)) * (p1 - p0) : NaN);
    const first = Math.ceil(a - 1e-9);
    const last = Math.floor(b + 1e-9);
    const decades = last - first;
    // at most ~8 labels: every k-th decade, aligned so that 10^0 is labeled when shown
    const every = Math.max(1, Math.ceil((decades + 1) / 8));
    const ticks: { value: number; label: string; exponent: number }[] = [];
    for (let k = first; k <= last; k++) {
      if (((k % every) + every) % every === 0) ticks.push({ value: 10 ** k, label: `10^${k}`, exponent: k });
    }
    const minor: number[] = [];
    if (b - a <= 6) {
      for (let k = Math.floor(a) - 1; k <= Math.ceil(b); k++) {
        for (let m = 2; m <= 9; m++) {
          const v = m * 10 ** k;
          if (v >= min && v <= max) minor.push(v);
        }
      }
    }
    // a range inside one decade has no decade tick: label its ends instead
    if (ticks.length < 2) {
      ticks.length = 0;
      for (const v of [min, max]) ticks.push({ value: v, label: fmt(v, 2), exponent: NaN });
      return { kind, min, max, toPixel, ticks: ticks.map(({ value, label }) => ({ value, label })), minor };
    }
    if (every > 1) {
      // unlabeled decades become minor ticks
      for (let k = first; k <= last; k++) if (((k % every) + every) % every !== 0) minor.push(10 ** k);
    }
    return { kind, min, max, toPixel, ticks, minor };
  }
  const toPixel = (v: number): number => p0 + ((v - min) / (max - min)) * (p1 - p0);
  const step = niceStep((max - min) / 6);
  const values: number[] = [];
  for (let k = Math.ceil(min / step - 1e-9); k * step <= max + step * 1e-9; k++) values.push(Number((k * step).toPrecision(12)));
  // integer ticks (steps) are written out in full below 1e7: 20000, 40000, …, 100000
  const plain = values.every((v) => Number.isInteger(v) && Math.abs(v) < 1e7);
  const ticks = values.map((v) => ({ value: v, label: plain ? String(v) : fmt(v) }));
  return { kind, min, max, toPixel, ticks, minor: [] };
}

/** The 1, 2 or 5 × 10^k step nearest above `raw`. */
function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}
