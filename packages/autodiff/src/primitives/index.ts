// The table of primitives: every family in one record, which the gradient checks are generated from.
import type { Primitive } from '../primitive.js';
import { binaryPrimitives } from './binary.js';
import { comparePrimitives } from './compare.js';
import { decompPrimitives } from './decomp.js';
import { linalgPrimitives } from './linalg.js';
import { reducePrimitives } from './reduce.js';
import { movementPrimitives } from './movement.js';
import { softmaxPrimitives } from './softmax.js';
import { specialPrimitives } from './special.js';
import { gradientPrimitives } from './gradient.js';
import { unaryPrimitives } from './unary.js';

export const primitiveFamilies = {
  unary: unaryPrimitives,
  binary: binaryPrimitives,
  compare: comparePrimitives,
  reduce: reducePrimitives,
  softmax: softmaxPrimitives,
  movement: movementPrimitives,
  gradient: gradientPrimitives,
  linalg: linalgPrimitives,
  decomp: decompPrimitives,
  special: specialPrimitives,
} as const;

/** Every primitive, by name (names are unique across families). */
export function allPrimitives(): ReadonlyMap<string, Primitive> {
  const table = new Map<string, Primitive>();
  for (const family of Object.values(primitiveFamilies)) {
    for (const p of Object.values(family) as Primitive[]) {
      if (table.has(p.name)) throw new Error(`two primitives are named ${p.name}`);
      table.set(p.name, p);
    }
  }
  return table;
}
