// Compiled plans, the runtime: the kernels of a scheduled graph (pipeline.ts) over buffers allocated once.
import { formatGraph, mergedCount, type Graph } from './graph.js';
import { compileGraph, type PlanOptions } from './pipeline.js';
import type { Kernel } from './primitive.js';
import { formatShape, ShapeError, type Shape } from './shape.js';
import { constant, placeholder, Tensor, toTensor, type TensorLike } from './tensor.js';
import { nested } from './transforms.js';

export type { PlanOptions };

/** What a plan holds, for tests and `dump()`. */
export interface PlanStats {
  readonly nodes: number;
  readonly kernels: number;
  readonly buffers: number;
  readonly bufferElements: number;
  /** Nodes merged into an earlier identical node. */
  readonly merged: number;
  /** Elementwise nodes computed inside another node's loop instead of their own kernel. */
  readonly fused: number;
  /** Kernels that read no input of the plan, run once on the first execution (see `Plan`). */
  readonly hoisted: number;
}

/** One kernel of a plan with the buffers it reads and writes (see `Plan.schedule`). */
export interface ScheduledKernel {
  readonly kernel: Kernel;
  readonly inputs: readonly Float64Array[];
  readonly output: Float64Array;
  readonly label: string;
}

/** A plan's kernels in the order `execute` runs them, over its buffers: what whole-step code (whole-step/) is generated from. */
export interface PlanSchedule {
  readonly kernels: readonly ScheduledKernel[];
  /** The leading kernels that read constants only (run on the first execution alone). */
  readonly hoisted: number;
  readonly inputs: readonly Float64Array[];
  readonly outputs: readonly Float64Array[];
}

/** Accumulated time of one kernel of one plan (see `setKernelTiming`). */
export interface KernelTiming {
  readonly plan: number;
  readonly kernel: number;
  readonly label: string;
  readonly calls: number;
  readonly ms: number;
}

let timingOn = false;
let planCount = 0;
const timedPlans: Plan[] = [];

/**
 * Turns per-kernel timing on or off for every plan (a profiling mode: each kernel is timed with
 * performance.now(), which costs ~0.1 µs per kernel). Read the totals with `kernelTimings()`.
 */
export function setKernelTiming(on: boolean): void {
  timingOn = on;
}

/** Forgets every total collected so far (each plan starts again from zero). */
export function resetKernelTimings(): void {
  for (const p of timedPlans) p.resetTimings();
  timedPlans.length = 0;
}

/** Per-kernel totals since timing was turned on, slowest first. */
export function kernelTimings(): KernelTiming[] {
  const rows: KernelTiming[] = [];
  for (const p of timedPlans) rows.push(...p.timings());
  return rows.sort((a, b) => b.ms - a.ms);
}

/**
 * A graph compiled for fixed input shapes. `run` copies the inputs in, runs every kernel and
 * returns the outputs; nothing is allocated per run. The returned tensors are views of the
 * plan's buffers, overwritten by the next run (copy them to keep them).
 * Kernels that depend on constants alone (a large constant deferred while tracing, and what is
 * computed from it: fixed samples transformed, a teacher's outputs on them) are hoisted: they run
 * on the first execution only and their results stay in buffers no other kernel reuses.
 */
export class Plan {
  private readonly kernels: Kernel[] = [];
  private readonly kernelInputs: Float64Array[][] = [];
  private readonly kernelOutputs: Float64Array[] = [];
  private readonly labels: string[] = [];
  private readonly inputBuffers: Float64Array[];
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  readonly stats: PlanStats;
  private readonly id = planCount++;
  private times: Float64Array | undefined;
  private calls = 0;
  /** The first kernel `execute` runs: 0 until the hoisted kernels (the first ones) have run once. */
  private begin = 0;
  private readonly hoisted: number;

  /** The kernels in order with their buffers (read-only: for code generated from the plan, see whole-step/). */
  schedule(): PlanSchedule {
    return {
      kernels: this.kernels.map((kernel, k) => ({ kernel, inputs: this.kernelInputs[k]!, output: this.kernelOutputs[k]!, label: this.labels[k]! })),
      hoisted: this.hoisted,
      inputs: this.inputBuffers,
      outputs: this.outputs.map((t) => t.data),
    };
  }

  /** The IR of the scheduled graph, for `dump()` (the graph itself is not kept: its nodes are the tracer's). */
  private readonly listing: string;

  /** The plan of a graph that went through the whole pipeline (see `compileGraph`). */
  constructor(graph: Graph) {
    this.listing = formatGraph(graph);
    const steps = graph.steps!;
    const buffers = graph.buffers!;
    for (const s of steps) {
      this.kernels.push(s.kernel);
      this.kernelInputs.push(s.inputs.map(buffers.of));
      this.kernelOutputs.push(buffers.of(s.node));
      this.labels.push(s.label);
    }
    this.inputs = graph.inputs;
    this.inputBuffers = [...buffers.inputs];
    this.hoisted = graph.hoisted!;
    this.outputs = graph.outputs.map((o) => constant(buffers.of(graph.canonical(o)), o.shape));
    this.stats = {
      nodes: graph.order.length, kernels: steps.length, buffers: buffers.count, bufferElements: buffers.elements,
      merged: mergedCount(graph), fused: graph.fused ?? 0, hoisted: this.hoisted,
    };
  }

  /** Runs the plan on new input values (Float64Arrays or tensors of the declared shapes). */
  run(values: readonly (Float64Array | Tensor)[]): readonly Tensor[] {
    if (values.length !== this.inputBuffers.length) {
      throw new RangeError(`plan takes ${this.inputBuffers.length} inputs, got ${values.length}`);
    }
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      const buf = this.inputBuffers[i]!;
      const data = v instanceof Float64Array ? v : v.data;
      if (data.length !== buf.length) {
        throw new ShapeError('plan', `input ${i} has ${data.length} values, expected shape ${formatShape(this.inputs[i]!.shape)}`);
      }
      if (data !== buf) buf.set(data);
    }
    this.execute();
    return this.outputs;
  }

  /** The input buffers: write them directly to skip the copy in `run`. */
  inputBuffer(i: number): Float64Array {
    return this.inputBuffers[i]!;
  }

  /** Runs every kernel on the current contents of the input buffers (the hoisted ones the first time only). */
  execute(): void {
    if (timingOn) return this.executeTimed();
    const kernels = this.kernels;
    const ins = this.kernelInputs;
    const outs = this.kernelOutputs;
    for (let k = this.begin; k < kernels.length; k++) kernels[k]!(ins[k]!, outs[k]!);
    this.begin = this.hoisted;
  }

  private executeTimed(): void {
    if (this.times === undefined) {
      this.times = new Float64Array(this.kernels.length);
      timedPlans.push(this);
    }
    const times = this.times;
    this.calls++;
    for (let k = this.begin; k < this.kernels.length; k++) {
      const t0 = performance.now();
      this.kernels[k]!(this.kernelInputs[k]!, this.kernelOutputs[k]!);
      times[k]! += performance.now() - t0;
    }
    this.begin = this.hoisted;
  }

  resetTimings(): void {
    this.times = undefined;
    this.calls = 0;
  }

  /** This plan's per-kernel totals (empty unless `setKernelTiming(true)` was on while it ran). */
  timings(): KernelTiming[] {
    const times = this.times;
    if (times === undefined) return [];
    return this.labels.map((label, k) => ({ plan: this.id, kernel: k, label, calls: this.calls, ms: times[k]! }));
  }

  /** The plan's IR as text, one node per line (see `formatGraph`). */
  dump(): string {
    return this.listing;
  }
}

/** Builds a plan from placeholders and outputs traced from them. */
export function planOf(inputs: readonly Tensor[], outputs: readonly Tensor[], options: PlanOptions = {}): Plan {
  return new Plan(compileGraph(inputs, outputs, options));
}

/**
 * Traces `f` on symbolic inputs of the given shapes and compiles the graph it builds (including
 * any `grad` inside it) into a plan.
 * @example
 *   const step = compile((w) => { const [l, g] = valueAndGrad(loss)(w); return [l, sub(w, mul(0.1, g))]; }, [[3]]);
 *   const [l, wNext] = step.run([w]);
 */
export function compile(f: (...args: Tensor[]) => Tensor | readonly Tensor[], shapes: readonly Shape[]): Plan {
  const inputs = shapes.map((s, i) => placeholder(s, `arg${i}`));
  const out = nested(() => f(...inputs));
  const outputs = out instanceof Tensor ? [out] : out;
  return planOf(inputs, outputs.map(toTensor));
}

/**
 * Like `f`, but compiled on first use for each combination of argument shapes. Results are copies.
 */
export function jit(f: (...args: Tensor[]) => Tensor | readonly Tensor[]): (...args: TensorLike[]) => Tensor[] {
  const plans = new Map<string, Plan>();
  return (...args) => {
    const tensors = args.map(toTensor);
    const key = tensors.map((t) => formatShape(t.shape)).join(';');
    let plan = plans.get(key);
    if (!plan) {
      plan = compile(f, tensors.map((t) => t.shape));
      plans.set(key, plan);
    }
    return plan.run(tensors).map((t) => constant(Float64Array.from(t.data), t.shape));
  };
}

