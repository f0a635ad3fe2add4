// Numbers and tables as the report prints them.

/** @param {number} k digits after the point @returns {(x: number) => string} */
export const fixed = (k) => (x) => (Number.isFinite(x) ? x.toFixed(k).replace(/^-(0\.0*)$/, '$1').replace(/^-/, '−') : String(x));
export const f3 = fixed(3);
export const f2 = fixed(2);
/**
 * 3 significant digits, exponent for small or large numbers.
 * @param {number} x
 */
export function g(x, digits = 3) {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  const s = a >= 1e-3 && a < 10 ** digits ? x.toPrecision(digits).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '') : x.toExponential(digits - 1).replace(/e([+-])(\d+)/, (_, /** @type {string} */ sg, /** @type {string} */ d) => `e${sg === '-' ? '−' : ''}${d}`);
  return s.replace(/^-/, '−');
}
/** The range of `xs` as `lo … hi`. @param {readonly number[]} xs @param {(x: number) => string} [fmt] */
export const range = (xs, fmt = f2) => {
  const lo = fmt(Math.min(...xs));
  const hi = fmt(Math.max(...xs));
  return lo === hi ? `${lo} (all)` : `${lo} … ${hi}`;
};
/**
 * P(X ≤ k) for X ~ Binomial(n, 1/2).
 * @param {number} k
 * @param {number} n
 */
export function binomCdf(k, n) {
  let c = 1;
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    sum += c;
    c = (c * (n - i)) / (i + 1);
  }
  return sum / 2 ** n;
}
/** @param {readonly number[]} xs */
export const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;
/** Whether x is within tol of c. @param {number} x @param {number} c @param {number} tol */
export const within = (x, c, tol) => Math.abs(x - c) <= tol;
/** @param {boolean} b */
export const yes = (b) => (b ? 'yes' : '**no**');
/** A markdown table; a | inside a cell (|μ_i|, E|v|²) would end the cell, so it is escaped (once). */
/**
 * @param {readonly string[]} head
 * @param {ReadonlyArray<ReadonlyArray<string | number>>} rows
 */
export function table(head, rows) {
  const cell = (/** @type {string | number} */ c) => String(c).replace(/(?<!\\)\|/g, '\\|');
  return [`| ${head.map(cell).join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}
/** A duration in seconds as `42 s` or `3 min 07 s`. @param {number} s */
export function minutes(s) {
  return s < 90 ? `${s.toFixed(0)} s` : `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, '0')} s`;
}
