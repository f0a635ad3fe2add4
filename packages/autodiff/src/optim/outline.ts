// The outline every optimizer shares: spec, step count, scheduled hyperparameters, and the state saved and restored.
import { checkCompatible, checkSizes, decodeF64Into, encodeF64, finiteScalar, hyperOf, scheduledHyper, scalarOf } from './serial.js';
import { OptimizerError, type GradientFn, type Optimizer, type OptimizerSpec, type OptimizerState } from './types.js';

/** What one optimizer adds to the outline: its update rule and the state it keeps beyond the step count. */
export interface OptimizerParts {
  readonly spec: OptimizerSpec;
  readonly sizes: readonly number[];
  /**
   * The hyperparameters a schedule may change; `hyper` starts with the spec's values and is
   * what `advance` reads (state() keeps reporting the spec's).
   */
  readonly scheduled: readonly string[];
  /** Per-parameter buffers saved by name (momentum's velocity; adam's m and v), one array per parameter. */
  readonly buffers?: Readonly<Record<string, readonly Float64Array[]>>;
  /** The error when a saved state lacks one of `buffers` ("saved state lacks the velocity"). */
  readonly lacks?: string;
  /** Scalars saved beside `steps` (flow's substep and counters): read for state(), written back by restore. */
  readonly scalars?: { readonly read: () => Record<string, number>; readonly write: (saved: (name: string) => number) => void };
  /** One step: updates `params` in place; `steps` is the count of steps taken before it. */
  readonly advance: (params: readonly Float64Array[], grad: GradientFn, hyper: Readonly<Record<string, number>>, steps: number) => void;
}

/** An Optimizer from its parts: sizes checked every step, hyperparameters scheduled, state bit-exact. */
export function outlinedOptimizer(parts: OptimizerParts): Optimizer {
  const { spec, sizes, scheduled, advance } = parts;
  const kind = spec.kind;
  const buffers = Object.entries(parts.buffers ?? {});
  const hyper: Record<string, number> = hyperOf(spec);
  let steps = 0;
  return {
    kind,
    spec,
    get steps() {
      return steps;
    },
    step(params: readonly Float64Array[], grad: GradientFn): void {
      checkSizes(kind, params, sizes);
      advance(params, grad, hyper, steps);
      steps++;
    },
    setHyper(values: Readonly<Record<string, number>>): void {
      for (const name of scheduled) hyper[name] = scheduledHyper(kind, name, values, hyper[name]!);
    },
    state(): OptimizerState {
      const scalars: Record<string, number> = { steps: finiteScalar('steps', steps) };
      for (const [name, v] of Object.entries(parts.scalars?.read() ?? {})) scalars[name] = finiteScalar(name, v);
      const saved: Record<string, string[]> = {};
      for (const [name, list] of buffers) saved[name] = list.map(encodeF64);
      return { kind, hyper: hyperOf(spec), sizes: [...sizes], scalars, buffers: saved };
    },
    restore(state: OptimizerState): void {
      checkCompatible(state, spec, sizes);
      for (const [name] of buffers) {
        const list = state.buffers[name];
        if (!list || list.length !== sizes.length) throw new OptimizerError(`${kind}: ${parts.lacks ?? `saved state lacks ${name}`}`);
      }
      steps = scalarOf(state, 'steps');
      parts.scalars?.write((name) => scalarOf(state, name));
      for (const [name, list] of buffers) state.buffers[name]!.forEach((b, p) => decodeF64Into(b, list[p]!, `${kind} ${name} ${p}`));
    },
  };
}
