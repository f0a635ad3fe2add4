// random/ziggurat-tables.ts: the generated tables, the same numbers in the TS and C files, and a valid ziggurat.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ZIGGURAT_F, ZIGGURAT_K, ZIGGURAT_R, ZIGGURAT_W } from '../../../packages/autodiff/src/random/ziggurat-tables.js';

const header = readFileSync(new URL('../../../packages/autodiff/native/ziggurat.h', import.meta.url), 'utf8');

/** The numbers of one C array `name` of native/ziggurat.h, as JS reads their literals. */
function cArray(name: string): number[] {
  const m = new RegExp(`${name}\\[256\\] = \\{([^}]*)\\}`).exec(header);
  expect(m, name).not.toBeNull();
  return m![1]!.split(',').map((t) => t.trim()).filter((t) => t !== '').map(Number);
}

describe('the ziggurat tables', () => {
  it('native/ziggurat.h holds the same 3 × 256 numbers and the same R as the TS module', () => {
    expect(cArray('ZIGGURAT_K')).toEqual(ZIGGURAT_K);
    expect(cArray('ZIGGURAT_W')).toEqual(ZIGGURAT_W);
    expect(cArray('ZIGGURAT_F')).toEqual(ZIGGURAT_F);
    expect(Number(/ZIGGURAT_R = ([^;]+);/.exec(header)![1])).toBe(ZIGGURAT_R);
  });

  it('are a ziggurat: integer thresholds below 2^52, edges growing outward to R, f = exp(-x²/2) decreasing', () => {
    expect(ZIGGURAT_K.every((k) => Number.isInteger(k) && k >= 0 && k < 2 ** 52)).toBe(true);
    const edges = ZIGGURAT_W.slice(1).map((w) => w * 2 ** 52);
    for (let i = 1; i < edges.length; i++) expect(edges[i]!).toBeGreaterThan(edges[i - 1]!);
    expect(edges[edges.length - 1]).toBeCloseTo(ZIGGURAT_R, 12);
    for (let i = 1; i < 256; i++) {
      expect(ZIGGURAT_F[i]!).toBeLessThan(ZIGGURAT_F[i - 1]!);
      expect(ZIGGURAT_F[i]!).toBeCloseTo(Math.exp(-0.5 * edges[i - 1]! ** 2), 14);
    }
    expect(ZIGGURAT_F[0]).toBe(1);
  });
});
