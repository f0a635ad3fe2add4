// Structural keys of nodes: equal keys mean equal values (a primitive's attributes, one-element constants).
import type { Tensor } from './tensor.js';

/** The attributes as a key; undefined when they cannot be compared (never merged then). */
export function attrsKey(attrs: unknown): string | undefined {
  if (attrs === undefined) return 'u';
  try {
    return JSON.stringify(attrs);
  } catch {
    return undefined; // not comparable: never merged
  }
}

/** A one-element constant's value as a key (-0 kept apart from 0; NaN equals NaN here). */
function scalarKey(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}

/** A key equal for one-element constants of equal shape and value; undefined for other leaves. */
export function leafKey(t: Tensor): string | undefined {
  return !t.symbolic && t.size === 1 ? `c|${t.shape.join(',')}|${scalarKey(t.data[0]!)}` : undefined;
}
