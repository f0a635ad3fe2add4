// A compiled program: parameter buffers, one plan for loss + gradients + updates, one for metrics.
import {
  allocate, backward, BulkRandom, constant, estimatePlanBytes, formatBytes, neg, planOf, withDeferredConstants, type Plan,
  type BulkRandomState, type Shape, type Tensor,
} from '@descent/autodiff';
import { CurvatureMetrics, type CurvatureMethod, type CurvatureReport } from './curvature.js';
import type { ClaimSetting, Lowered, Settings } from './lowered.js';

export interface ParamInfo {
  readonly name: string;
  readonly shape: Shape;
  readonly size: number;
  /** Replaced by an `update` rule after each step instead of taking a gradient step. */
  readonly updated: boolean;
}

export interface MetricInfo {
  readonly name: string;
  readonly shape: Shape;
}

export type MetricValues = Record<string, number | number[]>;

/** The program's buffers would exceed the memory limit (raised before any is allocated). */
export class MemoryLimitError extends Error {
  override readonly name = 'MemoryLimitError';
}

/**
 * A `.loss` program ready to run. Parameter values live in `params` (one Float64Array per
 * parameter, written in place by optimizers); every evaluation reads them there.
 */
export class Program {
  readonly params: readonly Float64Array[];
  readonly paramInfo: readonly ParamInfo[];
  readonly metricInfo: readonly MetricInfo[];
  readonly settings: Settings;
  readonly claims: readonly ClaimSetting[];
  readonly constants: Readonly<Record<string, number>>;
  private readonly noise: readonly Float64Array[];
  private evalPlanMade: Plan | undefined;
  private metricPlanMade: Plan | undefined;
  private readonly makeEvalPlan: () => Plan;
  private readonly makeMetricPlan: () => Plan;
  private metricData: readonly Float64Array[] | undefined;
  private sampleRng: BulkRandom;
  private readonly minimize: boolean;
  /** The `step` counter's input buffer (one value), read by every plan. */
  private readonly stepBuffer: Float64Array = allocate(1);
  private readonly schedulePlan: Plan | null;
  /** Optimizer arguments that are schedules of `step`, in the order of `optimizerArgsAt`. */
  readonly scheduled: readonly string[];
  private readonly curvature: CurvatureMetrics;

  constructor(
    /** The lowered program this one was compiled from (batched-program.ts stacks several seeds of it). */
    readonly lowered: Lowered,
    readonly seed: number,
    /** Buffers beyond this many bytes are refused before any is allocated. */
    maxMemoryBytes = Infinity,
    curvatureMethod: CurvatureMethod = 'auto',
    /** Take the gradient and compile the plans at their first use instead of now (a batched sweep runs its seeds' programs through one batched plan). */
    deferPlans = false,
  ) {
    this.claims = lowered.claims;
    this.constants = lowered.constants;
    const updated = new Set(lowered.updates.map((u) => u.param));
    this.paramInfo = lowered.params.map((p, i) => ({
      name: p.name,
      shape: p.shape,
      size: p.placeholder.size,
      updated: updated.has(i),
    }));
    this.metricInfo = lowered.metrics.map((m) => ({ name: m.name, shape: m.shape }));
    this.params = lowered.params.map((p) => allocate(p.placeholder.size));
    this.noise = lowered.noise.map((n) => allocate(n.placeholder.size));
    this.minimize = lowered.settings.objective === 'minimize';

    const stepInput = lowered.step === undefined ? [] : [lowered.step];
    const inputs = [...lowered.params.map((p) => p.placeholder), ...lowered.noise.map((n) => n.placeholder), ...stepInput];
    const inputBuffers = [...this.params, ...this.noise, ...(lowered.step === undefined ? [] : [this.stepBuffer])];
    const descended = lowered.params.filter((_, i) => !updated.has(i)).map((p) => p.placeholder);
    const minimized = this.minimize ? lowered.objective : neg(lowered.objective);
    const descendedIndex = lowered.params.map((_, i) => i).filter((i) => !updated.has(i));
    this.curvature = new CurvatureMetrics(
      lowered.curvature, descendedIndex.map((i) => lowered.params[i]!), descendedIndex.map((i) => this.params[i]!), inputs, inputBuffers, seed, curvatureMethod,
    );
    // the gradient graph, its memory check and the plans; deferred, all are made at the first evaluation
    const evalOutputs = (): Tensor[] => {
      const grads = withDeferredConstants(true, () => backward(minimized, descended));
      const outputs = [lowered.objective, ...grads, ...lowered.updates.map((u) => u.value)];
      const estimate = estimatePlanBytes([...outputs, ...lowered.metrics.map((m) => m.value), ...this.curvature.outputs]);
      if (estimate.bytes > maxMemoryBytes) {
        throw new MemoryLimitError(
          `the compiled program needs up to ${formatBytes(estimate.bytes)} of buffers (largest: ${estimate.largest.join(', ')}), more than the memory limit of ${formatBytes(maxMemoryBytes)}; use smaller sizes or raise --max-memory`,
        );
      }
      return outputs;
    };
    this.makeEvalPlan = () => planOf(inputs, evalOutputs(), { inputBuffers });
    this.makeMetricPlan = () => planOf([...inputs, ...this.curvature.inputs], lowered.metrics.map((m) => m.value), {
      inputBuffers: [...inputBuffers, ...this.curvature.buffers],
    });
    if (!deferPlans) {
      this.evalPlanMade = this.makeEvalPlan();
      this.metricPlanMade = this.makeMetricPlan();
    }
    this.scheduled = lowered.schedule.map((s) => s.name);
    this.schedulePlan = lowered.schedule.length === 0 || lowered.step === undefined ? null
      : planOf([lowered.step], lowered.schedule.map((s) => s.value), { inputBuffers: [this.stepBuffer] });
    // the settings show a scheduled argument at its step-0 value
    const optimizer = lowered.settings.optimizer;
    this.settings = this.scheduled.length === 0 ? lowered.settings
      : { ...lowered.settings, optimizer: { ...optimizer, args: { ...optimizer.args, ...this.optimizerArgsAt(0) } } };
    this.sampleRng = new BulkRandom(`${seed}/samples`);
    this.resample();
  }

  private get evalPlan(): Plan {
    return (this.evalPlanMade ??= this.makeEvalPlan());
  }

  private get metricPlan(): Plan {
    return (this.metricPlanMade ??= this.makeMetricPlan());
  }

  /** The evaluation or the metric plan, compiled now if deferred (a batched sweep runs its seeds' own plans stacked, batched-program.ts). */
  compiledPlan(which: 'evaluation' | 'metrics'): Plan {
    return which === 'evaluation' ? this.evalPlan : this.metricPlan;
  }

  private named: { params: Record<string, Tensor>; grads: Record<string, Tensor> } | undefined;

  /** The descended parameters and their gradients as tensors by name, over the program's own buffers (made once). */
  private namedViews(): { params: Record<string, Tensor>; grads: Record<string, Tensor> } {
    if (this.named === undefined) {
      const params: Record<string, Tensor> = {};
      const grads: Record<string, Tensor> = {};
      let g = 1;
      this.paramInfo.forEach((p, i) => {
        if (p.updated) return;
        params[p.name] = constant(this.params[i]!, p.shape);
        grads[p.name] = constant(this.evalPlan.outputs[g++]!.data, p.shape);
      });
      this.named = { params, grads };
    }
    return this.named;
  }

  /**
   * The descended parameters by name (`{ W1, b1 }`), as tensors over the program's parameter
   * buffers: an optimizer that updates them in place (`adam(program.parameters)`) moves the program.
   */
  get parameters(): Readonly<Record<string, Tensor>> {
    return this.namedViews().params;
  }

  /**
   * Evaluates at the current parameters: the objective, and the gradient of the minimized
   * objective by parameter name. The same gradient object comes back every call (its tensors are
   * the plan's buffers, overwritten by the next evaluation), so a training loop allocates nothing.
   * @example
   *   const program = compile(source, { data: { X, y } });
   *   const opt = adam(program.parameters, { lr: 1e-2 });
   *   for (let t = 0; t < 1000; t++) opt.update(program.parameters, program.valueAndGrad()[1]);
   */
  valueAndGrad(): [number, Readonly<Record<string, Tensor>>] {
    const views = this.namedViews();
    this.evalPlan.execute();
    return [this.evalPlan.outputs[0]!.data[0]!, views.grads];
  }

  /** Sets the `step` counter that the next evaluations (loss, gradients, metrics) read. */
  setStep(step: number): void {
    this.stepBuffer[0] = step;
  }

  /** Whether the program reads `step` anywhere (loss, metrics, updates or optimizer arguments). */
  get usesStep(): boolean {
    return this.lowered.step !== undefined;
  }

  /**
   * The scheduled optimizer arguments at `step` (by name; empty without schedules). Leaves the
   * `step` counter as it was, so it may be called between an evaluation and its optimizer step.
   */
  optimizerArgsAt(step: number): Record<string, number> {
    const out: Record<string, number> = {};
    if (this.schedulePlan === null) return out;
    const saved = this.stepBuffer[0]!;
    this.stepBuffer[0] = step;
    this.schedulePlan.execute();
    this.schedulePlan.outputs.forEach((t, k) => (out[this.scheduled[k]!] = t.data[0]!));
    this.stepBuffer[0] = saved;
    return out;
  }

  /** Number of parameter values (descended and replaced by `update` rules). */
  get parameterCount(): number {
    return this.paramInfo.reduce((s, p) => s + p.size, 0);
  }

  /** Number of learnable values: those of descended parameters (an `update` rule takes no gradient step). */
  get learnableCount(): number {
    return this.paramInfo.reduce((s, p) => s + (p.updated ? 0 : p.size), 0);
  }

  /** Writes the initial parameter values into `params` (same seed, same values). */
  initialize(): void {
    this.lowered.params.forEach((p, i) => this.params[i]!.set(p.initial));
  }

  /** Draws a new batch for fresh sampling (fixed samples and quadrature are constants). */
  resample(): void {
    this.lowered.noise.forEach((n, i) => n.fill(this.noise[i]!, this.sampleRng));
  }

  get freshSampling(): boolean {
    return this.noise.length > 0;
  }

  /**
   * Evaluates at the current `params`: returns the objective; gradients (of the minimized
   * objective, for the descended parameters, in order) and update values are in the returned
   * views, valid until the next evaluation.
   */
  evaluate(): { objective: number; grads: readonly Float64Array[]; updates: readonly Float64Array[] } {
    this.evalPlan.execute();
    const out = this.evalPlan.outputs;
    const nGrads = this.paramInfo.filter((p) => !p.updated).length;
    return {
      objective: out[0]!.data[0]!,
      grads: out.slice(1, 1 + nGrads).map((t) => t.data),
      updates: out.slice(1 + nGrads).map((t) => t.data),
    };
  }

  /** Replaces each parameter that has an `update` rule by its value computed in `evaluate`. */
  applyUpdates(updates: readonly Float64Array[]): void {
    this.lowered.updates.forEach((u, k) => this.params[u.param]!.set(updates[k]!));
  }

  /** Metrics at the current `params`. */
  metrics(): MetricValues {
    this.curvature.compute();
    this.metricPlan.execute();
    // no prototype: a metric named `__proto__` is a value like any other
    const values: MetricValues = Object.create(null) as MetricValues;
    this.metricInfo.forEach((m, k) => {
      const data = this.metricPlan.outputs[k]!.data;
      values[m.name] = m.shape.length === 0 ? data[0]! : Array.from(data);
    });
    return values;
  }

  /**
   * Metrics at the current `params` without allocating: runs the metric plan and returns its
   * outputs, one array per metric in `metricInfo` order (a scalar metric is one value), as views
   * valid until the next call. For callers that copy the values out (the training loop's log).
   */
  metricViews(): readonly Float64Array[] {
    this.curvature.compute();
    const plan = this.metricPlan;
    plan.execute();
    return (this.metricData ??= plan.outputs.map((t) => t.data));
  }

  /** How each Hessian metric was computed at the last logged step (method, products, error), for run.json. */
  curvatureReport(): readonly CurvatureReport[] {
    return this.curvature.report();
  }

  sampleState(): BulkRandomState {
    return this.sampleRng.state();
  }

  /** Continues the sample stream from a saved state (checkpoint resume), redrawing nothing. */
  restoreSampleState(state: BulkRandomState, currentBatch: readonly Float64Array[]): void {
    this.sampleRng = new BulkRandom(`${this.seed}/samples`, state);
    currentBatch.forEach((b, i) => this.noise[i]!.set(b));
  }

  /** The current fresh batch (for checkpoints). */
  currentBatch(): readonly Float64Array[] {
    return this.noise;
  }

  /** Shapes and sizes, for `descent check`. */
  describe(): string {
    const lines = this.paramInfo.map(
      (p) => `param ${p.name}[${p.shape.join(', ')}]  ${p.size} values${p.updated ? '  (update rule)' : ''}`,
    );
    lines.push(...this.metricInfo.map((m) => `metric ${m.name}${m.shape.length ? `[${m.shape.join(', ')}]` : ''}`));
    const { kernels, hoisted, bufferElements } = this.evalPlan.stats;
    const once = hoisted > 0 ? ` (${hoisted} run once: they read constants only)` : '';
    const updated = this.parameterCount - this.learnableCount;
    const byUpdates = updated > 0 ? ` (and ${updated} replaced by update rules)` : '';
    lines.push(`${this.learnableCount} learnable values${byUpdates}; plan: ${kernels} kernels${once}, ${bufferElements} buffered values`);
    return lines.join('\n');
  }
}
