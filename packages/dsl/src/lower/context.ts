// The state expression lowering reads: the error gate, the checker's bindings, random streams, draws, where files are.
import type { Random, Tensor } from '@descent/autodiff';
import type { Bindings } from '../check/bound.js';
import type { Reporter } from '../diagnostics.js';

/** The draw axis of random values: its length and, for quadrature, the weight of each draw. */
export interface Draws {
  readonly count: number;
  /** Weights summing to 1 (quadrature, categorical probabilities); null means equal weights. */
  weights: Tensor | null;
}

export interface LowerContext {
  readonly reporter: Reporter;
  /** The declaration each name resolves to, from the checker. */
  readonly bindings: Bindings;
  /** The stream `randn`/`rand` draw constants from (lets, or a param's initializer). */
  constRng: Random;
  /** Undefined until the file declares a sample. */
  draws: Draws | undefined;
  /** Folder of the `.loss` file: `load` paths are relative to it. */
  readonly baseDir: string;
  /** Largest file `load` reads, in bytes. */
  readonly maxLoadBytes: number;
  /** Files or folders outside `baseDir` that `load` may read. */
  readonly allowRead: readonly string[];
  /** The `step` counter's placeholder, made at its first use (a file without `step` has none). */
  step: Tensor | undefined;
  /**
   * Registers a curvature metric of the scalar `value` (its Hessian over the descended
   * parameters) and returns the input its result is read from; undefined outside metrics.
   */
  curvature: ((value: Tensor, kind: CurvatureKind, k: number) => Tensor) | undefined;
}

/** `hessian_eigs(e, k)` / `sharpness(e)`: the k largest eigenvalues; `hessian_trace(e)`: the trace. */
export type CurvatureKind = 'eigs' | 'trace';
