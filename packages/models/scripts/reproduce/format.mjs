// Numbers and tables as the report prints them.

export const fixed = (k) => (x) => (Number.isFinite(x) ? x.toFixed(k).replace(/^-(0\.0*)$/, '$1').replace(/^-/, '−') : String(x));
export const f3 = fixed(3);
export const f2 = fixed(2);
/** 3 significant digits, exponent for small or large numbers. */
export function g(x, digits = 3) {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  const s = a >= 1e-3 && a < 10 ** digits ? x.toPrecision(digits).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '') : x.toExponential(digits - 1).replace(/e([+-])(\d+)/, (_, sg, d) => `e${sg === '-' ? '−' : ''}${d}`);
  return s.replace(/^-/, '−');
}
export const range = (xs, fmt = f2) => {
  const lo = fmt(Math.min(...xs));
  const hi = fmt(Math.max(...xs));
  return lo === hi ? `${lo} (all)` : `${lo} … ${hi}`;
};
/** P(X ≤ k) for X ~ Binomial(n, 1/2). */
export function binomCdf(k, n) {
  let c = 1;
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    sum += c;
    c = (c * (n - i)) / (i + 1);
  }
  return sum / 2 ** n;
}
export const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;
export const within = (x, c, tol) => Math.abs(x - c) <= tol;
export const yes = (b) => (b ? 'yes' : '**no**');
/** A markdown table; a | inside a cell (|μ_i|, E|v|²) would end the cell, so it is escaped (once). */
export function table(head, rows) {
  const cell = (c) => String(c).replace(/(?<!\\)\|/g, '\\|');
  return [`| ${head.map(cell).join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}
export function minutes(s) {
  return s < 90 ? `${s.toFixed(0)} s` : `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, '0')} s`;
}
