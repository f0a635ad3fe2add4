// SVG line charts: log-log or lin/log axes, decade ticks, legend, dashed fitted-slope lines.
import type { Fit } from '../fit.js';
import { fitValue } from '../fit.js';
import { fmt, fmtExact } from '../format.js';
import { drawable, makeAxis, niceRange, type Axis, type ScaleKind } from './axes.js';
import { colorAt, settingPalette } from './palette.js';

/** One curve. Points that the axes cannot show (NaN, ±inf, ≤ 0 on a log axis) break the line. */
export interface Series {
  readonly x: readonly number[];
  readonly y: readonly number[];
  /**
   * Legend text; series sharing a label share one legend entry and, unless `color` is given, one
   * color (a sweep's seeds of one setting). null: no entry.
   */
  readonly label: string | null;
  readonly color?: string;
  readonly width?: number;
}

/** A fitted line drawn dashed over its window, with its exponent in the legend. */
export interface FitOverlay {
  readonly fit: Fit;
  readonly color?: string;
  /** Legend text; default "fit t^-2.93 over [1e4, 1e5]" (or "fit e^(-0.0046 t) …" for a rate). */
  readonly label?: string;
}

export interface ChartOptions {
  readonly title?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  readonly xScale?: ScaleKind;
  readonly yScale?: ScaleKind;
  readonly width?: number;
  readonly height?: number;
  readonly fits?: readonly FitOverlay[];
}

/** The font the PNG renderer embeds; browsers fall back to their sans-serif. */
export const FONT_FAMILY = "'DejaVu Sans', Helvetica, Arial, sans-serif";

const MARGIN = { left: 78, right: 24, top: 44, bottom: 58 } as const;

/** The default legend text of a fit: "fit t^-2.93 over [1e4, 1e5]". */
export function fitLabel(fit: Fit): string {
  const window = `[${fmtExact(fit.t0)}, ${fmtExact(fit.t1)}]`;
  return fit.kind === 'slope' ? `fit t^${fmt(fit.slope)} over ${window}` : `fit e^(${fmt(fit.slope)} t) over ${window}`;
}

/** Escapes text for SVG character data and attribute values. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Text with `^` exponents rendered as superscripts: "t^-2.93" → t<tspan …>−2.93</tspan>; an exponent
 * runs to the next space, or is parenthesized: "e^(-0.1 t)". Hyphen-minus in exponents becomes "−".
 */
export function richText(s: string, size: number): string {
  const parts: string[] = [];
  const re = /\^(\([^)]*\)|[^\s,\])]+)/g;
  let last = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    parts.push(esc(s.slice(last, m.index)));
    const exp = m[1]!.replace(/^\((.*)\)$/, '$1').replace(/-/g, '−');
    parts.push(`<tspan baseline-shift="super" font-size="${Math.round(size * 0.72)}">${esc(exp)}</tspan>`);
    last = m.index + m[0].length;
  }
  parts.push(esc(s.slice(last)));
  return parts.join('');
}

const n2 = (v: number): string => (Math.round(v * 100) / 100).toString();

/** The path of a curve: M/L commands, restarting after every point the axes cannot show. */
function pathOf(xs: readonly number[], ys: readonly number[], ax: Axis, ay: Axis): string {
  const out: string[] = [];
  let pen = false;
  const n = Math.min(xs.length, ys.length);
  for (let i = 0; i < n; i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    if (!drawable(ax.kind, x) || !drawable(ay.kind, y)) {
      pen = false;
      continue;
    }
    out.push(`${pen ? 'L' : 'M'}${n2(ax.toPixel(x))} ${n2(ay.toPixel(y))}`);
    pen = true;
  }
  return out.join(' ');
}

/** Samples a fitted line over its window (a straight segment on matching axes, a curve otherwise). */
function fitPoints(fit: Fit, xKind: ScaleKind): { x: number[]; y: number[] } {
  const x: number[] = [];
  const y: number[] = [];
  const lo = xKind === 'log' ? Math.max(fit.t0, Number.MIN_VALUE) : fit.t0;
  for (let i = 0; i <= 32; i++) {
    const t = xKind === 'log' ? lo * (fit.t1 / lo) ** (i / 32) : lo + ((fit.t1 - lo) * i) / 32;
    x.push(t);
    y.push(fitValue(fit, t));
  }
  return { x, y };
}

/** A tick label: "10^k" on log axes as 10 with a superscript exponent. */
function tickLabel(label: string, size: number): string {
  const m = /^10\^(-?\d+)$/.exec(label);
  if (!m) return esc(label);
  return `10<tspan baseline-shift="super" font-size="${Math.round(size * 0.75)}">${m[1]!.replace('-', '−')}</tspan>`;
}

/**
 * Renders a line chart as a standalone SVG document.
 * @example
 *   renderSvg([{ x: steps, y: losses, label: 'loss' }], { title: 'relu-neuron', xLabel: 'step', yLabel: 'loss' })
 */
export function renderSvg(series: readonly Series[], options: ChartOptions = {}): string {
  const W = options.width ?? 720;
  const H = options.height ?? 480;
  const xKind = options.xScale ?? 'log';
  const yKind = options.yScale ?? 'log';
  const fits = options.fits ?? [];
  const fitCurves = fits.map((f) => fitPoints(f.fit, xKind));
  const xr = niceRange(xKind, [...series.flatMap((s) => s.x), ...fitCurves.flatMap((c) => c.x)], false) ?? [1, 10];
  const yr = niceRange(yKind, [...series.flatMap((s) => drawnYs(s, xKind)), ...fitCurves.flatMap((c) => c.y)], true) ?? [1, 10];
  const left = MARGIN.left;
  const right = W - MARGIN.right;
  const top = MARGIN.top;
  const bottom = H - MARGIN.bottom;
  const ax = makeAxis(xKind, xr[0], xr[1], left, right);
  const ay = makeAxis(yKind, yr[0], yr[1], bottom, top);
  const font = 13;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${esc(FONT_FAMILY)}" font-size="${font}">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<defs><clipPath id="plot-area"><rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}"/></clipPath></defs>`,
  );
  if (options.title) {
    out.push(`<text x="${W / 2}" y="${top - 16}" text-anchor="middle" font-size="16" font-weight="bold">${richText(options.title, 16)}</text>`);
  }
  // grid and ticks
  out.push('<g stroke="#e6e6e6" stroke-width="1">');
  for (const t of ax.ticks) out.push(`<line x1="${n2(ax.toPixel(t.value))}" y1="${top}" x2="${n2(ax.toPixel(t.value))}" y2="${bottom}"/>`);
  for (const t of ay.ticks) out.push(`<line x1="${left}" y1="${n2(ay.toPixel(t.value))}" x2="${right}" y2="${n2(ay.toPixel(t.value))}"/>`);
  out.push('</g>', '<g stroke="#333333" stroke-width="1">');
  for (const v of ax.minor) out.push(`<line x1="${n2(ax.toPixel(v))}" y1="${bottom}" x2="${n2(ax.toPixel(v))}" y2="${bottom + 3}"/>`);
  for (const v of ay.minor) out.push(`<line x1="${left - 3}" y1="${n2(ay.toPixel(v))}" x2="${left}" y2="${n2(ay.toPixel(v))}"/>`);
  for (const t of ax.ticks) out.push(`<line x1="${n2(ax.toPixel(t.value))}" y1="${bottom}" x2="${n2(ax.toPixel(t.value))}" y2="${bottom + 6}"/>`);
  for (const t of ay.ticks) out.push(`<line x1="${left - 6}" y1="${n2(ay.toPixel(t.value))}" x2="${left}" y2="${n2(ay.toPixel(t.value))}"/>`);
  out.push('</g>');
  out.push(`<rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}" fill="none" stroke="#333333"/>`);
  for (const t of ax.ticks) {
    out.push(`<text x="${n2(ax.toPixel(t.value))}" y="${bottom + 22}" text-anchor="middle">${tickLabel(t.label, font)}</text>`);
  }
  for (const t of ay.ticks) {
    out.push(`<text x="${left - 10}" y="${n2(ay.toPixel(t.value) + 4)}" text-anchor="end">${tickLabel(t.label, font)}</text>`);
  }
  if (options.xLabel) out.push(`<text x="${(left + right) / 2}" y="${H - 14}" text-anchor="middle" font-size="14">${richText(options.xLabel, 14)}</text>`);
  if (options.yLabel) {
    const cy = (top + bottom) / 2;
    out.push(`<text x="18" y="${cy}" text-anchor="middle" font-size="14" transform="rotate(-90 18 ${cy})">${richText(options.yLabel, 14)}</text>`);
  }
  // curves, then fits on top
  const legend: { label: string; color: string; dashed: boolean }[] = [];
  const labeled = new Set<string>();
  out.push('<g clip-path="url(#plot-area)" fill="none" stroke-linejoin="round" stroke-linecap="round">');
  const byLabel = settingPalette();
  series.forEach((s, i) => {
    // unlabeled series get the i-th color; labeled ones a color per label, so a sweep's seeds match
    const color = s.color ?? (s.label === null ? colorAt(i) : byLabel(s.label));
    const d = pathOf(s.x, s.y, ax, ay);
    if (d) out.push(`<path d="${d}" stroke="${color}" stroke-width="${s.width ?? 2}"/>`);
    if (s.label !== null && !labeled.has(s.label)) {
      labeled.add(s.label);
      legend.push({ label: s.label, color, dashed: false });
    }
  });
  fits.forEach((f, i) => {
    const color = f.color ?? '#222222';
    const d = pathOf(fitCurves[i]!.x, fitCurves[i]!.y, ax, ay);
    if (d) out.push(`<path d="${d}" stroke="${color}" stroke-width="2" stroke-dasharray="7 5"/>`);
    legend.push({ label: f.label ?? fitLabel(f.fit), color, dashed: true });
  });
  out.push('</g>');
  out.push(...legendBox(legend, right, top, font));
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** The y values drawn (those whose x the x axis can show), for the y range. */
function drawnYs(s: Series, xKind: ScaleKind): number[] {
  const ys: number[] = [];
  for (let i = 0; i < Math.min(s.x.length, s.y.length); i++) if (drawable(xKind, s.x[i]!)) ys.push(s.y[i]!);
  return ys;
}

/** The legend in the top-right corner of the plot area, at most 12 entries, then "… and N more". */
function legendBox(items: readonly { label: string; color: string; dashed: boolean }[], right: number, top: number, font: number): string[] {
  if (items.length === 0) return [];
  const shown = items.length > 12 ? items.slice(0, 11) : items;
  const extra = items.length - shown.length;
  const rows = shown.length + (extra > 0 ? 1 : 0);
  const longest = Math.max(...shown.map((it) => it.label.replace(/[\^()]/g, '').length), extra > 0 ? 12 : 0);
  const w = Math.min(420, 46 + longest * font * 0.6);
  const lineH = font + 7;
  const h = rows * lineH + 10;
  const x0 = right - w - 10;
  const y0 = top + 10;
  const out = [`<g><rect x="${n2(x0)}" y="${y0}" width="${n2(w)}" height="${h}" fill="#ffffff" fill-opacity="0.9" stroke="#bbbbbb"/>`];
  shown.forEach((it, i) => {
    const y = y0 + 5 + lineH * i + lineH / 2;
    const dash = it.dashed ? ' stroke-dasharray="7 5"' : '';
    out.push(`<line x1="${n2(x0 + 8)}" y1="${n2(y)}" x2="${n2(x0 + 36)}" y2="${n2(y)}" stroke="${it.color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${n2(x0 + 42)}" y="${n2(y + font * 0.35)}">${richText(it.label, font)}</text>`);
  });
  if (extra > 0) out.push(`<text x="${n2(x0 + 42)}" y="${n2(y0 + 5 + lineH * shown.length + lineH / 2 + font * 0.35)}">… and ${extra} more</text>`);
  out.push('</g>');
  return out;
}
