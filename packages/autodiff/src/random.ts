// Seeded random numbers (seedrandom's xor4096), with a state that can be saved and restored.
import seedrandom from 'seedrandom';
import { allocate } from './alloc.js';
import { sizeOf, type Shape } from './shape.js';
import { constant, type Tensor } from './tensor.js';

/** Everything needed to continue a random stream exactly where it stopped. */
export interface RandomState {
  readonly generator: object;
  /** Box–Muller makes normals in pairs; the second waits here. */
  readonly spareNormal: number | null;
}

type StatefulPrng = seedrandom.StatefulPRNG<seedrandom.State.Xor4096>;

/**
 * A seeded stream of uniform and normal numbers. Same seed, same numbers, on every machine.
 * @example
 *   const rng = new Random(1); const x = rng.randn([2, 3]);
 */
export class Random {
  private prng: StatefulPrng;
  private spare: number | null = null;

  constructor(seed: number | string, state?: RandomState) {
    const generator = state ? (state.generator as seedrandom.State.Xor4096) : true;
    this.prng = seedrandom.xor4096(String(seed), { state: generator });
    if (state) this.spare = state.spareNormal;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    return this.prng.double();
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fills `out` with N(mean, std^2) draws. */
  fillNormal(out: Float64Array, mean = 0, std = 1): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /** Fills `out` with uniform draws in [lo, hi). */
  fillUniform(out: Float64Array, lo = 0, hi = 1): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * this.uniform();
    return out;
  }

  randn(shape: Shape, mean = 0, std = 1): Tensor {
    return constant(this.fillNormal(allocate(sizeOf(shape)), mean, std), shape);
  }

  rand(shape: Shape, lo = 0, hi = 1): Tensor {
    return constant(this.fillUniform(allocate(sizeOf(shape)), lo, hi), shape);
  }

  state(): RandomState {
    return { generator: this.prng.state(), spareNormal: this.spare };
  }
}

/** Standard normal tensor from a seed or a Random stream. */
export function randn(shape: Shape, seed: number | Random): Tensor {
  return (typeof seed === 'number' ? new Random(seed) : seed).randn(shape);
}

/** Uniform [0, 1) tensor from a seed or a Random stream. */
export function rand(shape: Shape, seed: number | Random): Tensor {
  return (typeof seed === 'number' ? new Random(seed) : seed).rand(shape);
}
