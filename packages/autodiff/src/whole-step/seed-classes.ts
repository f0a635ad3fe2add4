// Seeds that one compiled plan serves, each reading its own random draws: the checks that make it exact.
import type { Plan } from '../plan.js';
import { layoutOf, NotStackableError, sameBits, sameKernels, sameLayout } from './layout.js';

/** Seeds that one compiled plan serves (see StackedPlan.fromClasses). */
export interface SeedClass {
  readonly seeds: readonly number[];
  /** The first seed's plan. */
  readonly plan: Plan;
  /** The second seed's plan, compiled alike (absent for a class of one seed). */
  readonly second?: Plan;
  /** The constants that differ between the class's seeds: `constants[d][j]`, seed `seeds[j]`'s values. */
  readonly constants: readonly (readonly Float64Array[])[];
}

/**
 * Whether every element equals the first (+0 equal to -0, NaN to NaN): every constant some pass
 * may treat as one repeated value (uniform.ts, arc-slope.ts) is such.
 */
export function looselyUniform(v: Float64Array): boolean {
  const first = v[0]!;
  return v.every((x) => x === first || (x !== x && first !== first));
}

/** The class's constants by the buffer the first seed's plan reads them from, once the checks of fromClasses pass. */
export function checkedTemplate(c: SeedClass): Map<ArrayBufferLike, readonly Float64Array[]> {
  const byBuffer = new Map<ArrayBufferLike, readonly Float64Array[]>();
  if (c.constants.length === 0) return byBuffer;
  if (c.second === undefined) throw new NotStackableError('constants differ between the seeds of a class without a second plan');
  for (const values of c.constants) {
    if (values.length !== c.seeds.length) throw new RangeError(`a differing constant has ${values.length} seeds' values, expected ${c.seeds.length}`);
    if (values[0]!.length <= 1) throw new NotStackableError('a constant that differs between seeds has one element');
    if (values.some(looselyUniform)) throw new NotStackableError('a constant that differs between seeds is uniform in a seed');
    const v = values[0]!;
    if (v.byteOffset === 0 && v.byteLength === v.buffer.byteLength) byBuffer.set(v.buffer, values);
  }
  const first = c.plan.schedule();
  const second = c.second.schedule();
  const a = layoutOf(first);
  const b = layoutOf(second);
  if (!sameLayout(a, b) || !sameKernels(first, second)) throw new NotStackableError('two seeds\' plans differ');
  a.regions.forEach((region, r) => {
    if (region.kind !== 'constant') return;
    const other = b.regions[r]!;
    const values = byBuffer.get(region.buffer);
    if (values !== undefined) {
      if (values[1]!.buffer !== other.buffer || values[0]!.length !== region.extent) throw new NotStackableError('two seeds\' plans read a differing constant differently');
      return;
    }
    if (!sameBits(new Float64Array(region.buffer, 0, region.extent), new Float64Array(other.buffer, 0, other.extent))) {
      throw new NotStackableError('a plan holds a constant computed from values that differ between seeds');
    }
  });
  return byBuffer;
}
