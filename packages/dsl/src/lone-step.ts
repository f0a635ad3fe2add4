// A lone program's plan run by one generated function (a one-seed StackedPlan) where that applies, else by the plan itself.
import { kernelTimingOn, NotStackableError, StackedPlan, type Plan } from '@descent/autodiff';

/**
 * Plans whose buffers hold more values than this run as they are: the generated function
 * allocates its own copy of the plan's written buffers (the plan's stay allocated), and a plan
 * this large spends its step in kernels too big to write out, not in the calls between them
 * (128 K values: 1 MiB; relu-neuron's evaluation plan holds about 2 K, matrix-factorization's 1 K).
 */
export const LONE_WHOLE_STEP_MAX_VALUES = 131_072;

/** The environment variable that turns whole-step lone runs off (`off` or `0`), for comparison. */
export const WHOLE_STEP_ENV = 'DESCENT_WHOLE_STEP';

/** Whether lone programs use whole-step code unless told otherwise: on, except when DESCENT_WHOLE_STEP is `off` or `0`. */
export function wholeStepDefault(): boolean {
  const value = typeof process === 'undefined' ? undefined : process.env[WHOLE_STEP_ENV];
  return value !== 'off' && value !== '0';
}

/**
 * How one plan of a lone program runs: `execute` computes every output into `outputs`. With
 * whole-step code, the plan's kernels (written out with the kernels' own arithmetic and order,
 * autodiff whole-step/) read the program's own input buffers in place and write the
 * StackedPlan's outputs: the same values as the plan's own execution, bit for bit, without the
 * per-kernel calls. Otherwise (turned off, kernels interpreted, a plan too large or not
 * stackable, or a limit on memory the copy would break) the plan runs as it is. While per-kernel
 * timing is on (setKernelTiming) the plan runs too, its outputs copied into `outputs`.
 */
export class LoneStep {
  /** One array per plan output (the plan's order), written by `execute`. */
  readonly outputs: readonly Float64Array[];
  /** Whether the generated whole-step function runs the plan. */
  readonly wholeStep: boolean;
  /** Bytes of buffers allocated beyond the plan's own (0 without whole-step code). */
  readonly extraBytes: number;
  readonly execute: () => void;

  /**
   * `inputBuffers`: the plan's input buffers (those it was compiled over, in order);
   * `spareBytes`: memory the copy may take (the memory limit less what the plans need).
   */
  constructor(readonly plan: Plan, inputBuffers: readonly Float64Array[], wanted: boolean, spareBytes: number) {
    const stacked = wanted && plan.stats.bufferElements <= LONE_WHOLE_STEP_MAX_VALUES ? stackedOrUndefined(plan, inputBuffers) : undefined;
    if (stacked !== undefined && stacked.bytes <= spareBytes) {
      this.wholeStep = true;
      this.extraBytes = stacked.bytes;
      this.outputs = stacked.outputs;
      const outputs = stacked.outputs;
      const planOutputs = plan.outputs.map((t) => t.data);
      this.execute = () => {
        if (!kernelTimingOn()) return stacked.execute();
        // profiling times each kernel of the plan: the plan runs, its outputs are copied out
        plan.execute();
        planOutputs.forEach((data, j) => outputs[j]!.set(data));
      };
    } else {
      this.wholeStep = false;
      this.extraBytes = 0;
      this.outputs = plan.outputs.map((t) => t.data);
      this.execute = () => plan.execute();
    }
  }
}

/** The plan as a one-seed StackedPlan over the program's own buffers, or undefined where it cannot be (NotStackableError). */
function stackedOrUndefined(plan: Plan, inputBuffers: readonly Float64Array[]): StackedPlan | undefined {
  try {
    return new StackedPlan([plan], inputBuffers.map((data) => ({ data, shared: false })));
  } catch (e) {
    if (e instanceof NotStackableError) return undefined;
    throw e;
  }
}
