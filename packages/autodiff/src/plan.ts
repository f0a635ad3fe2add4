// Compiled plans: a traced graph turned into a fixed list of kernels over buffers allocated once.
import { allocate } from './alloc.js';
import { topoSort } from './graph.js';
import type { Kernel } from './primitive.js';
import { formatShape, ShapeError, type Shape } from './shape.js';
import { constant, placeholder, Tensor, toTensor, type TensorLike } from './tensor.js';
import { nested } from './transforms.js';
import { assignBuffers } from './optimize/buffers.js';
import { eliminateCommon, type Canonical } from './optimize/cse.js';
import { groupElementwise, groupKernel, reductionGroupKernel, reductionsOverGroups, type FusedGroup } from './optimize/fuse.js';
import { shareSoftmax } from './optimize/lse-softmax.js';
import { rewriteProducts } from './optimize/products.js';
import { rewriteUniformConstants } from './optimize/uniform.js';

/** Options of a plan: input buffers owned by the caller (shared between plans, written in place). */
export interface PlanOptions {
  readonly inputBuffers?: readonly Float64Array[];
  /**
   * Graph optimizations (all on by default): merge common subexpressions, fuse elementwise
   * chains into generated loops, and reuse buffers once their last reader has run. Turning them
   * off gives one kernel and one buffer per node, the reference the tests compare against.
   */
  readonly cse?: boolean;
  readonly fuse?: boolean;
  readonly reuseBuffers?: boolean;
}

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
  readonly outputs: readonly Tensor[];
  readonly stats: PlanStats;
  private readonly lines: string[] = [];
  private readonly id = planCount++;
  private times: Float64Array | undefined;
  private calls = 0;
  /** The first kernel `execute` runs: 0 until the hoisted kernels (the first ones) have run once. */
  private begin = 0;
  private readonly hoisted: number;

  constructor(
    readonly inputs: readonly Tensor[],
    outputs: readonly Tensor[],
    options: PlanOptions = {},
  ) {
    // uniform constant arrays read by elementwise loops become one value, then matrix-product
    // rewrites (transposes into flags, scales, such values included, out of big operands, shared
    // operands merged); both are part of `cse`
    if (options.cse !== false) outputs = rewriteUniformConstants(outputs).outputs;
    if (options.cse !== false) outputs = rewriteProducts(outputs).outputs;
    const order = topoSort(outputs);
    const canonical: Canonical = options.cse === false ? (t) => t : eliminateCommon(order);
    const inputsOf = (t: Tensor): Tensor[] => t.inputs.map(canonical);
    const fixed = new Map<number, Float64Array>(); // placeholders and constants
    let bufferCount = 0;
    let bufferElements = 0;
    const own = (n: number): Float64Array => {
      bufferCount++;
      bufferElements += n;
      return allocate(n);
    };
    inputs.forEach((input, i) => {
      if (input.prim !== undefined || !input.symbolic) throw new Error('plan inputs must be placeholders');
      const given = options.inputBuffers?.[i];
      if (given !== undefined && given.length !== input.size) {
        throw new ShapeError('plan', `input buffer ${i} has ${given.length} values, expected shape ${formatShape(input.shape)}`);
      }
      fixed.set(input.id, given ?? own(input.size));
    });
    // the nodes computed by kernels (or aliasing another node's buffer), canonical ones only
    const computed: Tensor[] = [];
    let merged = 0;
    for (const node of order) {
      if (fixed.has(node.id)) continue;
      if (canonical(node) !== node) {
        merged++;
        continue;
      }
      const prim = node.prim;
      if (prim === undefined || (!node.tracked && !node.symbolic)) {
        // leaves, and values computed from constants alone while tracing; a large constant
        // deferred while tracing (see withDeferredConstants) is computed by the plan like any node,
        // so fusion can read a broadcast in place and its buffer is reused
        if (node.symbolic) {
          throw new Error(`the graph uses placeholder ${node.name ?? `#${node.id}`} that is not an input of the plan`);
        }
        fixed.set(node.id, node.data); // a constant: baked in, never written
        this.lines.push(`%${node.id} = const ${formatShape(node.shape)}`);
        continue;
      }
      computed.push(node);
    }
    // logsumexp read off a softmax of the same values the plan computes anyway (part of `cse`)
    const sharedSoftmax = options.cse === false ? undefined : shareSoftmax(computed, inputsOf);
    // which buffer each node lives in: aliases share their input's
    const ownerOf = new Map<number, number>();
    const owner = (t: Tensor): number => ownerOf.get(t.id) ?? t.id;
    for (const node of computed) if (node.prim!.alias) ownerOf.set(node.id, owner(inputsOf(node)[0]!));
    const outputIds = new Set(outputs.map((o) => owner(canonical(o))));
    const groups = groupElementwise(
      computed,
      inputsOf,
      (t) => outputIds.has(t.id),
      options.fuse !== false,
    );
    // reductions computing their input's elementwise loop themselves (sum(relu(z)) in one pass)
    const reductions = options.fuse === false
      ? new Map<number, FusedGroup>()
      : reductionsOverGroups(computed, groups, inputsOf, (t) => outputIds.has(t.id));
    const absorbed = new Set([...reductions.values()].map((g) => g.root.id));
    const steps: { node: Tensor; kernel: Kernel; inputs: Tensor[]; label: string }[] = [];
    let fused = 0;
    for (const node of computed) {
      const prim = node.prim!;
      const ins = inputsOf(node);
      if (prim.alias) {
        this.lines.push(`%${node.id} = ${prim.name}(${ins.map((i) => `%${i.id}`).join(', ')}) ${formatShape(node.shape)} (alias)`);
        continue;
      }
      const group = groups.get(node.id);
      if (group === undefined) continue; // computed inside a fused loop
      if (absorbed.has(node.id)) {
        fused += group.members.length; // computed inside the loop of the reduction reading it
        continue;
      }
      const shape = formatShape(node.shape);
      const reduced = reductions.get(node.id);
      if (reduced !== undefined) {
        const { kernel, text } = reductionGroupKernel(node, reduced, inputsOf);
        const names = reduced.members.map((m) => m.prim!.name).join('+');
        steps.push({ node, kernel, inputs: [...reduced.inputs], label: `${prim.name}(${names}) ${shape}` });
        this.lines.push(`%${node.id} = ${prim.name}(${reduced.inputs.map((i) => `%${i.id}`).join(', ')}) ${shape} { ${text} }`);
        continue;
      }
      if (group.members.length > 1) {
        fused += group.members.length - 1;
        const { kernel, text } = groupKernel(group, inputsOf);
        const names = group.members.map((m) => m.prim!.name).join('+');
        steps.push({ node, kernel, inputs: [...group.inputs], label: `fused(${names}) ${shape}` });
        this.lines.push(`%${node.id} = fused(${group.inputs.map((i) => `%${i.id}`).join(', ')}) ${shape} { ${text} }`);
      } else if (sharedSoftmax?.has(node.id)) {
        const { kernel, inputs: read, label, line } = sharedSoftmax.step(node, ins);
        steps.push({ node, kernel, inputs: read, label });
        this.lines.push(line);
      } else {
        steps.push({ node, kernel: prim.prepare(ins.map((i) => i.shape), node.shape, node.attrs), inputs: ins, label: `${prim.name} ${shape}` });
        this.lines.push(`%${node.id} = ${prim.name}(${ins.map((i) => `%${i.id}`).join(', ')}) ${shape}`);
      }
    }
    // kernels reading no plan input, directly or through other kernels, run first and once; the
    // results that later kernels read keep their buffers
    const varying = new Set(inputs.map((i) => i.id));
    for (const node of computed) if (inputsOf(node).some((i) => varying.has(i.id))) varying.add(node.id);
    const once = steps.filter((s) => !varying.has(s.node.id));
    const every = steps.filter((s) => varying.has(s.node.id));
    steps.splice(0, steps.length, ...once, ...every);
    const kept = new Set(outputIds);
    for (const s of every) for (const i of s.inputs) if (!varying.has(i.id)) kept.add(owner(i));
    this.hoisted = once.length;
    const assigned = assignBuffers(
      steps.map((s) => ({ reads: s.inputs.map(owner), writes: s.node.id, size: s.node.size })),
      kept,
      own,
      options.reuseBuffers !== false,
    );
    const bufferOf = (t: Tensor): Float64Array => {
      const o = owner(t);
      const b = fixed.get(o) ?? assigned.get(o);
      if (b === undefined) throw new Error(`plan: no buffer for node #${t.id}`);
      return b.length === t.size ? b : b.subarray(0, t.size);
    };
    for (const s of steps) {
      this.kernels.push(s.kernel);
      this.kernelInputs.push(s.inputs.map(bufferOf));
      this.kernelOutputs.push(bufferOf(s.node));
      this.labels.push(s.label);
    }
    this.inputBuffers = inputs.map((i) => fixed.get(i.id)!);
    this.outputs = outputs.map((o) => constant(bufferOf(canonical(o)), o.shape));
    this.stats = { nodes: order.length, kernels: this.kernels.length, buffers: bufferCount, bufferElements, merged, fused, hoisted: this.hoisted };
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

  /** The plan as text, one node per line. */
  dump(): string {
    return this.lines.join('\n');
  }
}

/** Builds a plan from placeholders and outputs traced from them. */
export function planOf(inputs: readonly Tensor[], outputs: readonly Tensor[], options: PlanOptions = {}): Plan {
  return new Plan(inputs, outputs, options);
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
  return new Plan(inputs, outputs.map(toTensor));
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

