// Many seeds of one program run together: each seed's own plans stacked (whole-step code), or one plan with a leading seed axis.
import {
  allocate, backward, batchGraph, broadcastTo, constant, estimatePlanBytes, formatBytes, MissingBatchRuleError, neg, NotStackableError, placeholder,
  planOf, StackedPlan, sum, withDeferredConstants, type BatchedValue, type StackedInput, type Tensor,
} from '@descent/autodiff';
import type { Lowered } from './lowered.js';
import { MemoryLimitError, type MetricInfo, type ParamInfo, type Program } from './program.js';

/** Why the programs cannot run as one batch (the caller runs them one by one instead). */
export class NotBatchableError extends Error {
  override readonly name = 'NotBatchableError';
}

/** Whether two constants hold the same bits (so +0 and -0, or two NaNs of other payloads, differ only where Object.is says so). */
function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** What a lowered program has that a batch cannot hold: fresh samples, update rules, Hessian metrics. */
export function batchObstacle(lowered: Lowered): string | null {
  if (lowered.noise.length > 0) return 'it draws fresh samples every step';
  if (lowered.updates.length > 0) return 'it has update rules';
  if (lowered.curvature.length > 0) return 'it has Hessian metrics';
  return null;
}

const attrsText = (attrs: unknown): string => (attrs === undefined ? '' : JSON.stringify(attrs));

/** A constant that differs between seeds: its node in the first seed's graph and each seed's values. */
interface DifferingConstant {
  readonly node: Tensor;
  readonly values: readonly Float64Array[];
}

/**
 * Pairs the graph of every seed's program with the first's, node for node, and returns the
 * constants whose values differ between seeds (a random draw), with each seed's values. Throws
 * NotBatchableError where the graphs differ in anything but the values of constants.
 */
function differingConstants(lowered: readonly Lowered[]): DifferingConstant[] {
  const rootsOf = (l: Lowered): Tensor[] => [l.objective, ...l.metrics.map((m) => m.value)];
  const rolesOf = (l: Lowered): Map<number, string> => {
    const roles = new Map<number, string>();
    l.params.forEach((p, i) => roles.set(p.placeholder.id, `param ${i}`));
    if (l.step) roles.set(l.step.id, 'step');
    return roles;
  };
  const first = lowered[0]!;
  const roots0 = rootsOf(first);
  const roles0 = rolesOf(first);
  const constants0 = new Map<number, Tensor>();
  const differs = new Set<number>();
  const pairings = lowered.map((l) => {
    const roles = rolesOf(l);
    const roots = rootsOf(l);
    if (roots.length !== roots0.length) throw new NotBatchableError('the seeds have different metrics');
    const paired = new Map<number, Tensor>();
    const stack: [Tensor, Tensor][] = roots0.map((r, i) => [r, roots[i]!]);
    while (stack.length > 0) {
      const [a, b] = stack.pop()!;
      const seen = paired.get(a.id);
      if (seen !== undefined) {
        if (seen !== b) throw new NotBatchableError('the seeds\' graphs differ in structure');
        continue;
      }
      paired.set(a.id, b);
      if (a.shape.length !== b.shape.length || a.shape.some((n, i) => n !== b.shape[i])) throw new NotBatchableError('the seeds\' graphs differ in shapes');
      if (a.inputs.length !== b.inputs.length || a.prim?.name !== b.prim?.name) throw new NotBatchableError('the seeds\' graphs differ in structure');
      if (a.inputs.length > 0) {
        if (attrsText(a.attrs) !== attrsText(b.attrs)) throw new NotBatchableError(`the seeds' graphs differ in the attributes of ${a.prim?.name ?? 'a node'}`);
        a.inputs.forEach((x, i) => stack.push([x, b.inputs[i]!]));
        continue;
      }
      const role = roles0.get(a.id);
      if (role !== undefined || a.symbolic || b.symbolic) {
        if (role === undefined || roles.get(b.id) !== role) throw new NotBatchableError('the seeds\' graphs read different inputs');
        continue;
      }
      constants0.set(a.id, a);
      if (!sameValues(a.data, b.data)) differs.add(a.id);
    }
    return paired;
  });
  return [...differs].map((id) => ({ node: constants0.get(id)!, values: pairings.map((paired) => paired.get(id)!.data) }));
}

/** The ids of every node behind `roots`. */
function reachable(roots: readonly Tensor[]): Set<number> {
  const seen = new Set<number>();
  const stack = [...roots];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (seen.has(t.id)) continue;
    seen.add(t.id);
    stack.push(...t.inputs);
  }
  return seen;
}

/** How a batch runs: its outputs (seeds one after the other) and the two evaluations. */
interface BatchEngine {
  readonly objective: Float64Array;
  readonly grads: readonly Float64Array[];
  readonly metrics: readonly Float64Array[];
  readonly kernels: number;
  evaluate(): void;
  computeMetrics(): void;
}

/**
 * Each seed's own evaluation and metric plans (as its lone run compiles them), run by one
 * generated function per plan (autodiff whole-step/): every seed's values are its lone run's bit
 * for bit. A plan is compiled once (the first seed's) when its graph reads no constant that
 * differs between seeds, else once per seed. Throws NotStackableError where the seeds' plans
 * cannot be laid out alike.
 */
function stackedEngine(
  programs: readonly Program[], differing: readonly DifferingConstant[], params: readonly Float64Array[], stepBuffer: Float64Array, maxMemoryBytes: number,
): BatchEngine {
  const first = programs[0]!.lowered;
  const inputs: StackedInput[] = [
    ...params.map((data) => ({ data, shared: false })),
    ...(first.step === undefined ? [] : [{ data: stepBuffer, shared: true }]),
  ];
  const stack = (which: 'evaluation' | 'metrics', roots: readonly Tensor[]): StackedPlan => {
    // a plan whose graph reads no constant that differs between seeds is the same plan for every
    // seed (the passes and the gradient see the same graph and values): the first seed's serves all
    const reached = reachable(roots);
    if (!differing.some((d) => reached.has(d.node.id))) {
      const plan = programs[0]!.compiledPlan(which);
      return new StackedPlan(programs.map(() => plan), inputs);
    }
    return new StackedPlan(programs.map((p) => p.compiledPlan(which)), inputs);
  };
  const evaluation = stack('evaluation', [first.objective]);
  const metrics = stack('metrics', first.metrics.map((m) => m.value));
  const bytes = evaluation.bytes + metrics.bytes;
  if (bytes > maxMemoryBytes) {
    throw new MemoryLimitError(`the stacked plans of ${programs.length} seeds need ${formatBytes(bytes)} of buffers, more than the memory limit of ${formatBytes(maxMemoryBytes)}`);
  }
  return {
    objective: evaluation.outputs[0]!,
    grads: evaluation.outputs.slice(1),
    metrics: metrics.outputs,
    kernels: programs[0]!.compiledPlan('evaluation').stats.kernels,
    evaluate: () => evaluation.execute(),
    computeMetrics: () => metrics.execute(),
  };
}

/**
 * One plan of the seeds' graphs with a leading seed axis: parameter `i` of seed `s` is row `s`
 * of a buffer of shape [S, ...shape]; a constant that differs between seeds (a random draw) is
 * stacked the same way, one that does not is shared. Each primitive is batched by its rule
 * (autodiff batching.ts); one without a rule makes the programs not batchable
 * (NotBatchableError). The plan's passes see products of every seed at once, so a value may
 * differ from the seed's lone run in the last bits (a product merged only with the seed axis).
 */
function seedAxisEngine(programs: readonly Program[], params: readonly Float64Array[], stepBuffer: Float64Array, maxMemoryBytes: number): BatchEngine {
  const lowered = programs.map((p) => p.lowered);
  const first = lowered[0]!;
  const S = programs.length;
  const differing = differingConstants(lowered);
  const given = new Map<number, Tensor>();
  const batchedParams = first.params.map((p) => placeholder([S, ...p.shape], p.name));
  first.params.forEach((p, i) => given.set(p.placeholder.id, batchedParams[i]!));
  for (const { node, values } of differing) {
    const stacked = allocate(S * node.size);
    values.forEach((v, s) => stacked.set(v, s * node.size));
    given.set(node.id, constant(stacked, [S, ...node.shape]));
  }
  const stepInput = first.step === undefined ? [] : [first.step];
  const batched = withDeferredConstants(true, () => {
    let values: BatchedValue[];
    try {
      values = batchGraph([first.objective, ...first.metrics.map((m) => m.value)], given, S, {
        own: (node) => node.inputs.length > 0, perExample: false, reuseShared: true,
      });
    } catch (e) {
      if (e instanceof MissingBatchRuleError) throw new NotBatchableError(e.message);
      throw e;
    }
    const full = values.map(({ value, batched: b }) => (b ? value : broadcastTo(value, [S, ...value.shape])));
    const objective = full[0]!;
    const total = sum(objective);
    const grads = backward(first.settings.objective === 'minimize' ? total : neg(total), batchedParams);
    return { objective, grads, metrics: full.slice(1) };
  });
  const inputs = [...batchedParams, ...stepInput];
  const inputBuffers = [...params, ...(first.step === undefined ? [] : [stepBuffer])];
  const evalOutputs = [batched.objective, ...batched.grads];
  const estimate = estimatePlanBytes([...evalOutputs, ...batched.metrics]);
  if (estimate.bytes > maxMemoryBytes) {
    throw new MemoryLimitError(
      `the batched program of ${S} seeds needs up to ${formatBytes(estimate.bytes)} of buffers (largest: ${estimate.largest.join(', ')}), more than the memory limit of ${formatBytes(maxMemoryBytes)}`,
    );
  }
  const evalPlan = planOf(inputs, evalOutputs, { inputBuffers });
  const metricPlan = planOf(inputs, batched.metrics, { inputBuffers });
  return {
    objective: evalPlan.outputs[0]!.data,
    grads: evalPlan.outputs.slice(1).map((t) => t.data),
    metrics: metricPlan.outputs.map((t) => t.data),
    kernels: evalPlan.stats.kernels,
    evaluate: () => evalPlan.execute(),
    computeMetrics: () => metricPlan.execute(),
  };
}

/**
 * How the seeds run: 'stacked' (each seed's own plans, one generated function), 'seed-axis' (one
 * plan with a seed axis), or 'auto': stacked where the seeds' plans allow it, else seed-axis.
 */
export type BatchMode = 'auto' | 'stacked' | 'seed-axis';

/**
 * Several seeds of one program run together: parameter `i` of seed `s` is row `s` of buffer `i`
 * (the seeds' values one after the other). The loss, the gradients and the metrics come out the
 * same way, seed-major. By default each seed runs its own lone plans, stacked (whole-step code:
 * the same values as the seed's lone run, bit for bit); programs whose plans cannot be stacked
 * run as one plan with a seed axis (see seedAxisEngine). Programs that draw fresh samples, have
 * update rules or Hessian metrics are not batchable (NotBatchableError).
 */
export class BatchedProgram {
  /** Number of seeds. */
  readonly size: number;
  /** One buffer per parameter, the seeds' values one after the other (written in place by optimizers). */
  readonly params: readonly Float64Array[];
  readonly paramInfo: readonly ParamInfo[];
  readonly metricInfo: readonly MetricInfo[];
  /** The objective of every seed after `evaluate` ([S]). */
  readonly objective: Float64Array;
  /** The gradient of every descended parameter, seeds one after the other, after `evaluate`. */
  readonly grads: readonly Float64Array[];
  /** How the seeds run (see BatchMode): 'stacked' or 'seed-axis'. */
  readonly mode: 'stacked' | 'seed-axis';
  private readonly engine: BatchEngine;
  private readonly stepBuffer: Float64Array = allocate(1);
  private readonly programs: readonly Program[];

  constructor(programs: readonly Program[], maxMemoryBytes = Infinity, mode: BatchMode = 'auto') {
    if (programs.length === 0) throw new NotBatchableError('no seeds');
    for (const p of programs) {
      const why = batchObstacle(p.lowered);
      if (why !== null) throw new NotBatchableError(why);
    }
    this.programs = programs;
    this.size = programs.length;
    this.paramInfo = programs[0]!.paramInfo;
    this.metricInfo = programs[0]!.metricInfo;
    // the seeds' graphs must match node for node (a cheap check before any plan is compiled)
    const differing = differingConstants(programs.map((p) => p.lowered));
    this.params = programs[0]!.lowered.params.map((p) => allocate(this.size * p.placeholder.size));
    let engine: BatchEngine | undefined;
    if (mode !== 'seed-axis') {
      try {
        engine = stackedEngine(programs, differing, this.params, this.stepBuffer, maxMemoryBytes);
      } catch (e) {
        if (!(e instanceof NotStackableError) || mode === 'stacked') throw e;
      }
    }
    this.mode = engine === undefined ? 'seed-axis' : 'stacked';
    this.engine = engine ?? seedAxisEngine(programs, this.params, this.stepBuffer, maxMemoryBytes);
    this.objective = this.engine.objective;
    this.grads = this.engine.grads;
  }

  /** Writes every seed's initial parameter values (each drawn as in the seed's own program). */
  initialize(): void {
    this.programs.forEach((program, s) => {
      program.lowered.params.forEach((p, i) => this.params[i]!.set(p.initial, s * p.initial.length));
    });
  }

  /** Sets the `step` counter every seed's next evaluation reads. */
  setStep(step: number): void {
    this.stepBuffer[0] = step;
  }

  /** Runs the loss and gradients of every seed at the current `params` (into `objective` and `grads`). */
  evaluate(): void {
    this.engine.evaluate();
  }

  /** Runs the metrics of every seed at the current `params`; read them with `metricViews`. */
  computeMetrics(): void {
    this.engine.computeMetrics();
  }

  /** Seed `s`'s row of each parameter buffer (a view: written through). */
  paramViews(s: number): Float64Array[] {
    return this.paramInfo.map((p, i) => this.params[i]!.subarray(s * p.size, (s + 1) * p.size));
  }

  /** Seed `s`'s row of each gradient buffer (views, valid until the next evaluation). */
  gradViews(s: number): Float64Array[] {
    const descended = this.paramInfo.filter((p) => !p.updated);
    return descended.map((p, k) => this.grads[k]!.subarray(s * p.size, (s + 1) * p.size));
  }

  /** Seed `s`'s metrics, one view per metric in `metricInfo` order (valid until the next computeMetrics). */
  metricViews(s: number): Float64Array[] {
    return this.engine.metrics.map((data) => {
      const n = data.length / this.size;
      return data.subarray(s * n, (s + 1) * n);
    });
  }

  /** Kernels of one seed's step plan (for reports). */
  get kernels(): number {
    return this.engine.kernels;
  }
}
