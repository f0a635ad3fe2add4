// Tensors as text, numpy-style: aligned columns, and long axes elided with "..." past a threshold.
import { formatShape, type Shape } from './shape.js';

export interface PrintOptions {
  /** Above this many elements, each axis shows only its first and last `edgeItems` entries (default 1000). */
  readonly threshold?: number;
  /** Entries kept at each end of an elided axis (default 3). */
  readonly edgeItems?: number;
  /** Significant digits (default 6). */
  readonly precision?: number;
}

function formatNumber(x: number, precision: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  // plain notation in [1e-4, 1e15), scientific outside, as numpy does
  return a >= 1e-4 && a < 1e15 ? String(Number(x.toPrecision(precision))) : x.toExponential(precision - 1).replace(/\.?0+e/, 'e');
}

/**
 * `data` (row-major, of `shape`) as nested brackets; `prefix` is the text before the first
 * bracket, so continuation lines line up under it.
 */
export function formatValues(data: Float64Array, shape: Shape, options: PrintOptions = {}, prefix = ''): string {
  const threshold = options.threshold ?? 1000;
  const edge = options.edgeItems ?? 3;
  const precision = options.precision ?? 6;
  const elide = data.length > threshold;
  if (shape.length === 0) return formatNumber(data[0]!, precision);
  // the entries shown on each axis: all, or the first and last `edge` with a gap (-1) between
  const shown = (n: number): number[] =>
    elide && n > 2 * edge ? [...Array.from({ length: edge }, (_, i) => i), -1, ...Array.from({ length: edge }, (_, i) => n - edge + i)] : Array.from({ length: n }, (_, i) => i);
  const strides = shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));
  // every number that will be printed, to align them to one width
  const cells: string[] = [];
  const collect = (axis: number, offset: number): void => {
    for (const i of shown(shape[axis]!)) {
      if (i < 0) continue;
      if (axis === shape.length - 1) cells.push(formatNumber(data[offset + i]!, precision));
      else collect(axis + 1, offset + i * strides[axis]!);
    }
  };
  collect(0, 0);
  const width = Math.max(...cells.map((c) => c.length));
  let k = 0;
  const indent = ' '.repeat(prefix.length);
  const render = (axis: number, offset: number): string => {
    const parts = shown(shape[axis]!).map((i) => {
      if (i < 0) return '...';
      if (axis === shape.length - 1) return cells[k++]!.padStart(width);
      return render(axis + 1, offset + i * strides[axis]!);
    });
    if (axis === shape.length - 1) return `[${parts.join(', ')}]`;
    const sep = `,${'\n'.repeat(shape.length - 1 - axis)}${indent}${' '.repeat(axis + 1)}`;
    return `[${parts.join(sep)}]`;
  };
  return render(0, 0);
}

/** `tensor([[1, 2], [3, 4]])`-style text of a tensor's values with its shape when elided. */
export function formatTensor(data: Float64Array, shape: Shape, options: PrintOptions = {}): string {
  const prefix = 'tensor(';
  const body = formatValues(data, shape, options, prefix);
  const elided = data.length > (options.threshold ?? 1000);
  return `${prefix}${body}${elided ? `, shape ${formatShape(shape)}` : ''})`;
}
