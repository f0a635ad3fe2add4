// The report's figures: drawn by the CLI's own chart module into docs/figures/ (SVG and PNG).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderSvg, svgToPng } from '@descent/cli';
import { steps, values } from './runs.mjs';
import { FIGURES } from './settings.mjs';

/**
 * @import { ChartOptions, FitOverlay, Series } from '@descent/cli'
 * @import { LogRecord } from './runs.mjs'
 */

/** The palette of the figures, distinguishable in color-blind vision. @type {readonly string[]} */
export const COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#8C564B'];
/** The names of the figures written so far, for the report's list. @type {string[]} */
export const figures = [];

/**
 * A figure's chart options, and room for the legend (`legendRoom`) or a y axis spanning at least `yRange`.
 * @typedef {ChartOptions & { legendRoom?: boolean, yRange?: readonly [number, number] }} FigureOptions
 */

/**
 * Writes docs/figures/NAME.svg and .png through the CLI's own chart module; returns the markdown.
 * The legend sits in the top-right corner: `legendRoom` raises the top of a log y axis (with an
 * invisible point) so that it does not cover curves there; `yRange` forces the y axis to span
 * at least [lo, hi] (whole decades get labeled ticks).
 * @param {string} name
 * @param {readonly Series[]} series
 * @param {FigureOptions} options
 * @param {string} alt the image's alternative text
 */
export function figure(name, series, options, alt) {
  const { legendRoom, yRange, ...chart } = options;
  /** @type {Series[]} */
  const extra = [];
  const x0 = series.flatMap((s) => s.x).find((x) => x > 0) ?? 1;
  if (yRange) extra.push({ x: [x0, x0], y: yRange, label: null, color: 'none' });
  if (legendRoom) {
    // the legend box (as renderSvg sizes it) covers the right part of the plot: the curves there
    // must end below it
    const labels = [...new Set(series.map((s) => s.label).filter((l) => l !== null)), ...(options.fits ?? []).map((f) => f.label ?? '')];
    const boxWidth = Math.min(420, 46 + Math.max(...labels.map((l) => l.replace(/[\^()]/g, '').length)) * 13 * 0.6) + 10;
    const xs = series.flatMap((s) => s.x).filter((x) => x > 0).map(Math.log10);
    const [xlo, xhi] = [Math.floor(Math.min(...xs)), Math.max(...xs)];
    const xCut = xhi - (xhi - xlo) * (boxWidth / (760 - 102));
    const pts = series.flatMap((s) => s.y.map((y, i) => [s.x[i], y])).filter(([x, y]) => x > 0 && y > 0 && Number.isFinite(y));
    const lo = Math.min(...pts.map(([, y]) => Math.log10(y)));
    const hi = Math.max(...pts.filter(([x]) => Math.log10(x) >= xCut).map(([, y]) => Math.log10(y)));
    const top = Math.max(...pts.map(([, y]) => Math.log10(y)));
    const rows = labels.length;
    const f = Math.min(0.6, (rows * 20 + 34) / (500 - 102));
    extra.push({ x: [x0], y: [10 ** Math.max(top, (hi - f * lo) / (1 - f))], label: null, color: 'none' });
  }
  const svg = renderSvg([...extra, ...series], { xLabel: 'step', width: 760, height: 500, ...chart });
  fs.writeFileSync(path.join(FIGURES, `${name}.svg`), svg);
  fs.writeFileSync(path.join(FIGURES, `${name}.png`), svgToPng(svg, 2));
  figures.push(name);
  return `![${alt}](figures/${name}.png)`;
}

/** A series from a run: x = step, y = a metric; values below `floor` are not drawn. */
/**
 * @param {readonly LogRecord[]} records
 * @param {string} name
 * @param {string | null} label
 * @param {string} [color]
 * @param {{ floor?: number, width?: number }} [extra]
 * @returns {Series}
 */
export function curve(records, name, label, color, extra = {}) {
  const floor = extra.floor ?? 0;
  const y = values(records, name).map((v) => (v >= floor || !(floor > 0) ? v : NaN));
  return { x: steps(records), y, label, ...(color ? { color } : {}), ...(extra.width ? { width: extra.width } : {}) };
}

/** A power law c t^p through the point (t, y), drawn over [a, b] as a dashed line. */
/**
 * @param {number} p
 * @param {number} t
 * @param {number} y
 * @param {number} a
 * @param {number} b
 * @param {string} label
 * @returns {FitOverlay}
 */
export function powerLine(p, t, y, a, b, label, color = '#222222') {
  return { fit: { kind: 'slope', slope: p, intercept: Math.log(y) - p * Math.log(t), r2: 1, n: 2, t0: a, t1: b, ignored: 0 }, label, color };
}

// ---------------------------------------------------------------- the report
