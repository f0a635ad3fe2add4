// The bulk random stream: normals, uniforms and category codes a whole array at a time, from a
// xoshiro128** generator (four 32-bit words of state) seeded through seedrandom's xor4096. The fill
// runs on the registry's backend (native, WebAssembly or JS: kernels/registry.ts), and every backend
// gives the same bits, so a run's draws depend on its seed only, never on the machine or backend.
//
// Why xoshiro128**: its 32-bit words need only int32 operations (Math.imul, shifts, xors), exact and
// cheap in JS and WebAssembly as in C, where a 64-bit generator would cost BigInt or word pairs in JS;
// it passes BigCrush, and its period 2^128 - 1 is far beyond any run's draws. Normals come from a
// 256-layer ziggurat whose tables are committed literals (random/ziggurat-tables.ts).
import seedrandom from 'seedrandom';
import { selectedKernel } from '../kernels/registry.js';

/** The name saved with the state, so that a state of another generator is refused, not misread. */
export const BULK_GENERATOR = 'xoshiro128**';

/** Everything needed to continue a bulk stream exactly where it stopped. */
export interface BulkRandomState {
  readonly generator: typeof BULK_GENERATOR;
  /** The four state words, as int32. */
  readonly words: readonly number[];
}

/**
 * A seeded bulk stream. Same seed, same numbers, on every machine and backend.
 * @example
 *   const rng = new BulkRandom('7/samples'); const z = rng.fillNormal(new Float64Array(1000));
 */
export class BulkRandom {
  private readonly words = new Int32Array(4);

  constructor(seed: number | string, state?: BulkRandomState) {
    if (state !== undefined) {
      if (state.generator !== BULK_GENERATOR) throw new Error(`a bulk random state must be of ${BULK_GENERATOR}, not ${String(state.generator)}`);
      if (state.words.length !== 4 || !state.words.every((w) => Number.isInteger(w) && w >= -(2 ** 31) && w < 2 ** 31)) {
        throw new Error('a bulk random state must hold 4 int32 words');
      }
      this.words.set(state.words);
    } else {
      const seeder = seedrandom.xor4096(String(seed));
      for (let j = 0; j < 4; j++) this.words[j] = seeder.int32();
    }
    // the all-zero state is xoshiro's one fixed point
    if (this.words.every((w) => w === 0)) throw new Error('a bulk random state must not be all zeros');
  }

  /** Fills `out` with N(mean, std^2) draws. */
  fillNormal(out: Float64Array, mean = 0, std = 1): Float64Array {
    selectedKernel('randomNormal')(this.words, out, 0, out.length);
    if (mean !== 0 || std !== 1) for (let i = 0; i < out.length; i++) out[i] = mean + std * out[i]!;
    return out;
  }

  /** Fills `out` with uniform draws in [lo, hi). */
  fillUniform(out: Float64Array, lo = 0, hi = 1): Float64Array {
    selectedKernel('randomUniform')(this.words, out, 0, out.length);
    if (lo !== 0 || hi !== 1) for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * out[i]!;
    return out;
  }

  /** Fills `out` with category codes in [0, p.length), code k with probability p[k] / sum(p) (inverse CDF of one uniform each). */
  fillCategorical(out: Float64Array, p: Float64Array): Float64Array {
    this.fillUniform(out);
    return categoriesFromUniforms(out, p);
  }

  state(): BulkRandomState {
    return { generator: BULK_GENERATOR, words: Array.from(this.words) };
  }
}

/** Replaces each uniform u in `out` by the category its u · sum(p) falls in (inverse CDF; the last category takes any rounding remainder). */
export function categoriesFromUniforms(out: Float64Array, p: Float64Array): Float64Array {
  let total = 0;
  for (const x of p) total += x;
  for (let i = 0; i < out.length; i++) {
    let u = out[i]! * total;
    let k = 0;
    while (k < p.length - 1 && u >= p[k]!) u -= p[k++]!;
    out[i] = k;
  }
  return out;
}
