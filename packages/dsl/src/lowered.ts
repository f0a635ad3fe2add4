// What lowering hands to the runtime: placeholders, the traced loss/metrics/updates, and how to fill inputs.
import type { OptimizerKind } from '@descent/autodiff/optim';
import type { BulkRandom, Shape, Tensor } from '@descent/autodiff';

/** A learnable tensor: its placeholder in the traced graph and how to initialize it. */
export interface LoweredParam {
  readonly name: string;
  readonly shape: Shape;
  readonly placeholder: Tensor;
  /** The initial value, drawn or computed from the run's seed while lowering. */
  readonly initial: Float64Array;
}

/** Random draws fed to the graph: refilled from the sample stream when sampling is fresh. */
export interface LoweredNoise {
  readonly name: string;
  readonly placeholder: Tensor;
  /** Fills `out` with a new batch (standard normals, uniforms or category codes) from the bulk sample stream. */
  readonly fill: (out: Float64Array, rng: BulkRandom) => void;
}

export interface LoweredMetric {
  readonly name: string;
  /** Positional shape of the metric: [] for a number, [n] for `metric name[i]`. */
  readonly shape: Shape;
  readonly value: Tensor;
}

/** A Hessian metric: filled into `placeholder` ([k] eigenvalues, or [] for the trace) before metrics run. */
export interface LoweredCurvature {
  readonly kind: 'eigs' | 'trace';
  readonly k: number;
  /** The scalar whose Hessian is taken (over the descended parameters, flattened in order). */
  readonly value: Tensor;
  readonly placeholder: Tensor;
  /** The metric it appears in, for run.json. */
  readonly metric: string;
}

export interface LoweredUpdate {
  /** Index into params of the parameter replaced after each step. */
  readonly param: number;
  readonly value: Tensor;
}

/** How expectations are computed. */
export type ExpectMode =
  | { readonly kind: 'none' }
  | { readonly kind: 'samples'; readonly count: number; readonly fresh: boolean }
  | { readonly kind: 'quadrature'; readonly nodes: number };

export interface OptimizerSetting {
  readonly name: OptimizerKind;
  /** Every argument's value; a scheduled one's value at step 0. */
  readonly args: Readonly<Record<string, number>>;
  /** Arguments that are schedules (expressions of `step`), with their source text. */
  readonly schedule?: Readonly<Record<string, string>>;
}

/** The value side of a claim that compares measurements: `1.1 * final(b)`, `final(a) - final(b)`. */
export type ClaimTerm =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'measure'; readonly fn: string; readonly series: string; readonly args: readonly number[]; readonly text: string }
  | { readonly kind: 'neg'; readonly a: ClaimTerm }
  | { readonly kind: 'op'; readonly op: '+' | '-' | '*' | '/'; readonly a: ClaimTerm; readonly b: ClaimTerm };

/** A claim as written: `claim slope(loss, 1e4, 1e5) = -3 +- 0.3`. */
export interface ClaimSetting {
  readonly fn: string;
  readonly series: string;
  readonly args: readonly number[];
  readonly op: '=' | '==' | '<' | '<=' | '>' | '>=' | '!=';
  /** The constant compared with; when `against` is present, unused (0). */
  readonly value: number;
  /** A value side with measurements of other series, computed from the log. */
  readonly against?: ClaimTerm;
  readonly tol?: number;
  /** The claim's source text, for reports. */
  readonly text: string;
  readonly line: number;
}

export interface Settings {
  readonly optimizer: OptimizerSetting;
  readonly steps: number;
  readonly seed: number;
  readonly log: number;
  readonly expect: ExpectMode;
  readonly objective: 'minimize' | 'maximize';
}

export interface Lowered {
  readonly params: readonly LoweredParam[];
  readonly noise: readonly LoweredNoise[];
  /** The objective as written (for maximize, the value being maximized). */
  readonly objective: Tensor;
  readonly metrics: readonly LoweredMetric[];
  /** Hessian metrics, computed only when metrics are (on logged steps). */
  readonly curvature: readonly LoweredCurvature[];
  readonly updates: readonly LoweredUpdate[];
  readonly settings: Settings;
  readonly claims: readonly ClaimSetting[];
  /** Sizes after overrides (dims and literal lets), for run.json. */
  readonly constants: Readonly<Record<string, number>>;
  /** The `step` counter's placeholder, when the file uses `step`. */
  readonly step: Tensor | undefined;
  /** Optimizer arguments that are schedules: scalar graphs of `step` alone. */
  readonly schedule: ReadonlyArray<{ readonly name: string; readonly value: Tensor }>;
}
