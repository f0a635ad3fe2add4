// The optimizer interface: in-place steps over flat Float64Array parameters, serializable state.

/**
 * Computes the gradient of the loss at `params` and writes it into `out` (same count and lengths
 * as `params`). It must not keep references to either array: the optimizer reuses them.
 */
export type GradientFn = (params: readonly Float64Array[], out: readonly Float64Array[]) => void;

export type OptimizerKind = 'gd' | 'momentum' | 'adam' | 'flow';

/** An optimizer with its hyperparameters, as written in a `.loss` file or given with `--optimizer`. */
export type OptimizerSpec =
  | { readonly kind: 'gd'; readonly lr: number }
  | { readonly kind: 'momentum'; readonly lr: number; readonly beta: number }
  | { readonly kind: 'adam'; readonly lr: number; readonly beta1: number; readonly beta2: number; readonly eps: number }
  | { readonly kind: 'flow'; readonly dt: number; readonly rtol?: number; readonly atol?: number };

/**
 * Everything needed to continue an optimizer bit for bit: plain JSON. Scalars are finite numbers
 * (JSON round-trips finite doubles exactly); vectors are base64 little-endian float64 bytes, so
 * -0, NaN and infinities survive too.
 */
export interface OptimizerState {
  readonly kind: OptimizerKind;
  /** The hyperparameters the optimizer was created with; restore refuses a state from others. */
  readonly hyper: Readonly<Record<string, number>>;
  /** Length of each parameter vector. */
  readonly sizes: readonly number[];
  /** Step counters and scalar state (e.g. steps taken, flow time and its current substep). */
  readonly scalars: Readonly<Record<string, number>>;
  /** Named per-parameter buffers (e.g. momentum's velocity), one base64 string per parameter. */
  readonly buffers: Readonly<Record<string, readonly string[]>>;
}

export interface Optimizer {
  readonly kind: OptimizerKind;
  readonly spec: OptimizerSpec;
  /** Steps taken so far (restored by `restore`). */
  readonly steps: number;
  /**
   * Advances `params` in place by one step. `params` must have the lengths given at creation.
   * Allocates nothing: all work buffers were made when the optimizer was created.
   */
  step(params: readonly Float64Array[], grad: GradientFn): void;
  /**
   * Sets hyperparameters for the steps from now on (a schedule such as `lr = 0.5 / sqrt(1 + step)`,
   * evaluated before each step). `state()` keeps reporting the values the optimizer was created
   * with, so a run that recomputes its schedule after a restore continues bit-identically.
   */
  setHyper(values: Readonly<Record<string, number>>): void;
  /** A JSON-serializable snapshot of the state; restoring it continues bit-identically. */
  state(): OptimizerState;
  /** Replaces the state by a snapshot from `state()` of an optimizer with the same spec and sizes. */
  restore(state: OptimizerState): void;
}

/** A misuse of an optimizer: bad hyperparameters, wrong sizes, a state from another optimizer. */
export class OptimizerError extends Error {
  override readonly name = 'OptimizerError';
}
