// Number formatting shared by claims, summaries, progress lines and plots.

/** Strips trailing zeros of a mantissa: "3.200" → "3.2", "3.000" → "3". */
function trimMantissa(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/**
 * A compact human number with `digits` significant digits: -2.93, 0.0312, 3.2e-9, 1.5e6.
 * Exponent form for |x| ≥ 1e5 or |x| < 1e-3; exponents without "+": 1e5, 1e-9.
 */
export function fmt(x: number, digits = 3): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) {
    const [m, e] = x.toExponential(digits - 1).split('e') as [string, string];
    return `${trimMantissa(m)}e${e.replace('+', '')}`;
  }
  if (Number.isInteger(x) || a >= 10 ** digits) return String(Math.round(x));
  return trimMantissa(x.toPrecision(digits));
}

/**
 * A number as a user would write it in a claim, exactly (it round-trips): 1e4, 5e4, 0.3, 2.5e-7,
 * 2000, so the text shows what was actually compared against. Exponent form from 1e4 and below
 * 1e-3 when it is not longer.
 */
export function fmtExact(x: number): string {
  if (!Number.isFinite(x)) return fmt(x);
  const plain = String(x).replace('e+', 'e');
  const a = Math.abs(x);
  if (x === 0 || (a < 1e4 && a >= 1e-3)) return plain;
  const [m, e] = x.toExponential().split('e') as [string, string];
  const exp = `${m}e${e.replace('+', '')}`; // toExponential() keeps every digit needed to round-trip
  return exp.length <= plain.length ? exp : plain;
}

/** A duration in seconds as "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min". */
export function fmtDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}
