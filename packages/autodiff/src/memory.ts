// Memory estimates of a traced graph, so callers can refuse a plan before allocating it.
import { isConstant, topoSort } from './graph.js';
import { formatShape } from './shape.js';
import type { Tensor } from './tensor.js';

export interface MemoryEstimate {
  /** Bytes of the buffers a plan of these outputs would allocate at most (no reuse assumed). */
  readonly bytes: number;
  /** The largest buffers, described as `op [shape]`, largest first. */
  readonly largest: readonly string[];
}

/** Upper bound of the buffer memory of a plan computing `outputs` (placeholders included). */
export function estimatePlanBytes(outputs: readonly Tensor[]): MemoryEstimate {
  let bytes = 0;
  const sized: { size: number; text: string }[] = [];
  for (const node of topoSort(outputs)) {
    if (isConstant(node) || node.prim?.alias) continue;
    bytes += node.size * 8;
    sized.push({ size: node.size, text: `${node.prim?.name ?? node.name ?? 'input'} ${formatShape(node.shape)}` });
  }
  sized.sort((a, b) => b.size - a.size);
  return { bytes, largest: sized.slice(0, 3).map((s) => s.text) };
}

/**
 * `count` × `bytesEach` bytes as a short human string: 1.5 GiB, 300 MiB, 12 KiB, 7.28e+296 TiB
 * (scaled before multiplying, so 1e308 values of 8 bytes are a number, not Infinity).
 */
export function formatBytes(count: number, bytesEach = 1): string {
  if (!Number.isFinite(count)) return `${count} B`.replace('Infinity', 'more than 1.80e+308');
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = count;
  let u = 0;
  while (v * bytesEach >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  v *= bytesEach;
  if (v >= 1e4) return `${v.toExponential(2)} ${units[u]}`;
  return `${v >= 100 || u === 0 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}
