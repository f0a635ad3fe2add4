// A small terminal chart of a series on log-log axes, for the end-of-run summary.
import { fmt } from '../format.js';
import { drawable, niceRange, type ScaleKind } from './axes.js';

export interface TerminalChartOptions {
  /** Plot columns and rows, without the axis labels. Default 60 × 12. */
  readonly width?: number;
  readonly height?: number;
  readonly xScale?: ScaleKind;
  readonly yScale?: ScaleKind;
  /** Plain ASCII (`*`, `|`, `-`) instead of Unicode braille dots and box lines. */
  readonly ascii?: boolean;
  /** Name of the x axis, printed after the x range. Default "step". */
  readonly xLabel?: string;
}

// Braille cells hold 2 × 4 dots; bit of the dot at (column c, row r) within a cell.
const BRAILLE_BITS = [
  [0x01, 0x02, 0x04, 0x40],
  [0x08, 0x10, 0x20, 0x80],
] as const;

/**
 * Draws y against x as text lines: a braille curve (2 × 4 dots per character, so 120 × 48 dots in
 * the default 60 × 12) with the y range on the left and the x range underneath. Points that the
 * axes cannot show are skipped; consecutive points are joined by straight segments in screen space.
 * @example console.log(terminalChart(steps, losses))
 */
export function terminalChart(x: readonly number[], y: readonly number[], options: TerminalChartOptions = {}): string {
  const W = options.width ?? 60;
  const H = options.height ?? 12;
  const xKind = options.xScale ?? 'log';
  const yKind = options.yScale ?? 'log';
  const ascii = options.ascii ?? false;
  const pts: [number, number][] = [];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (drawable(xKind, x[i]!) && drawable(yKind, y[i]!)) pts.push([x[i]!, y[i]!]);
  }
  if (pts.length === 0) return '(nothing to plot: no finite values the axes can show)';
  const xr = niceRange(xKind, pts.map((p) => p[0]), false)!;
  const yr = niceRange(yKind, pts.map((p) => p[1]), false)!;
  const f = (kind: ScaleKind, v: number): number => (kind === 'log' ? Math.log10(v) : v);
  const sx = ascii ? 1 : 2;
  const sy = ascii ? 1 : 4;
  const dotsW = W * sx;
  const dotsH = H * sy;
  const col = (v: number): number => Math.round(((f(xKind, v) - f(xKind, xr[0])) / (f(xKind, xr[1]) - f(xKind, xr[0]))) * (dotsW - 1));
  // row 0 is the top
  const row = (v: number): number =>
    dotsH - 1 - Math.round(((f(yKind, v) - f(yKind, yr[0])) / (f(yKind, yr[1]) - f(yKind, yr[0]))) * (dotsH - 1));
  const dots = new Uint8Array(dotsW * dotsH);
  const set = (c: number, r: number): void => {
    if (c >= 0 && c < dotsW && r >= 0 && r < dotsH) dots[r * dotsW + c] = 1;
  };
  let prev: [number, number] | null = null;
  for (const [px, py] of pts) {
    const c = col(px);
    const r = row(py);
    if (prev) {
      const n = Math.max(Math.abs(c - prev[0]), Math.abs(r - prev[1]));
      for (let k = 1; k < n; k++) set(Math.round(prev[0] + ((c - prev[0]) * k) / n), Math.round(prev[1] + ((r - prev[1]) * k) / n));
    }
    set(c, r);
    prev = [c, r];
  }
  const lines: string[] = [];
  for (let cy = 0; cy < H; cy++) {
    let line = '';
    for (let cx = 0; cx < W; cx++) {
      if (ascii) {
        line += dots[cy * dotsW + cx] ? '*' : ' ';
        continue;
      }
      let bits = 0;
      for (let dc = 0; dc < 2; dc++) {
        for (let dr = 0; dr < 4; dr++) if (dots[(cy * 4 + dr) * dotsW + cx * 2 + dc]) bits |= BRAILLE_BITS[dc]![dr]!;
      }
      line += bits === 0 ? ' ' : String.fromCharCode(0x2800 + bits);
    }
    lines.push(line.replace(/\s+$/, ''));
  }
  const top = fmt(yr[1], 2);
  const bottom = fmt(yr[0], 2);
  const pad = Math.max(top.length, bottom.length);
  const [vbar, tee, corner, hbar] = ascii ? ['|', '+', '+', '-'] : ['│', '┤', '└', '─'];
  const out = lines.map((l, i) => {
    const label = i === 0 ? top : i === H - 1 ? bottom : '';
    return `${label.padStart(pad)} ${i === 0 || i === H - 1 ? tee : vbar}${l}`;
  });
  out.push(`${' '.repeat(pad)} ${corner}${hbar.repeat(W)}`);
  const left = fmt(xr[0], 2);
  const right = fmt(xr[1], 2);
  const axisName = options.xLabel ?? 'step';
  const scales = `${xKind === 'log' ? 'log' : 'lin'}-${yKind === 'log' ? 'log' : 'lin'}`;
  out.push(`${' '.repeat(pad + 2)}${left}${right.padStart(W - left.length)}  ${axisName} (${scales})`);
  return out.join('\n');
}
