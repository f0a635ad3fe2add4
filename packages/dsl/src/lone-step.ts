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
      // the plan itself, its outputs copied out: for profiling (it times each kernel) and the trial
      const byPlan = (): void => {
        plan.execute();
        for (let j = 0; j < planOutputs.length; j++) outputs[j]!.set(planOutputs[j]!);
      };
      const byFunction = (): void => stacked.execute();
      const pick = fasterOf(byFunction, byPlan);
      this.execute = () => (kernelTimingOn() ? byPlan() : pick());
    } else {
      this.wholeStep = false;
      this.extraBytes = 0;
      this.outputs = plan.outputs.map((t) => t.data);
      this.execute = () => plan.execute();
    }
  }
}

/** Evaluations that warm both ways up (alternating), then blocks timed per way, alternating, before the faster is kept. */
export const TRIAL_WARM_UP = 2048;
export const TRIAL_BLOCK = 128;
export const TRIAL_ROUNDS = 8;

/**
 * Runs `a` and `b` alternately over the first evaluations, then keeps whichever took less time
 * (the generated function is not faster for every plan: a plan of a few 10 x 10 products or of
 * erf over a few hundred values ran 2-3x slower written out than called, measured). Both give
 * the same bits, so the choice changes only the speed. The time of a block runs from one of its
 * calls to the next block's first, so it includes the caller's work between calls, alike for both.
 */
export function fasterOf(a: () => void, b: () => void): () => void {
  let calls = 0;
  let blockStart = 0;
  const spent = [0, 0];
  let chosen: (() => void) | undefined;
  return () => {
    if (chosen !== undefined) return chosen();
    const k = calls++;
    if (k < TRIAL_WARM_UP) return (k & 1 ? b : a)();
    const t = k - TRIAL_WARM_UP;
    const block = Math.floor(t / TRIAL_BLOCK);
    if (t % TRIAL_BLOCK === 0) {
      const now = performance.now();
      if (t > 0) spent[(block - 1) & 1]! += now - blockStart;
      blockStart = now;
    }
    if (block >= 2 * TRIAL_ROUNDS) {
      chosen = spent[0]! <= spent[1]! ? a : b;
      return chosen();
    }
    return (block & 1 ? b : a)();
  };
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
