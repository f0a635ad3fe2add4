// Compiled plans: a traced graph turned into a fixed list of kernels over buffers allocated once.
import { allocate } from './alloc.js';
import { topoSort } from './graph.js';
import type { Kernel } from './primitive.js';
import { formatShape, ShapeError, type Shape } from './shape.js';
import { constant, placeholder, Tensor, toTensor, type TensorLike } from './tensor.js';
import { nested } from './transforms.js';

/** Options of a plan: input buffers owned by the caller (shared between plans, written in place). */
export interface PlanOptions {
  readonly inputBuffers?: readonly Float64Array[];
}

/** What a plan holds, for tests and `dump()`. */
export interface PlanStats {
  readonly nodes: number;
  readonly kernels: number;
  readonly buffers: number;
  readonly bufferElements: number;
}

/**
 * A graph compiled for fixed input shapes. `run` copies the inputs in, runs every kernel and
 * returns the outputs; nothing is allocated per run. The returned tensors are views of the
 * plan's buffers, overwritten by the next run (copy them to keep them).
 */
export class Plan {
  private readonly kernels: Kernel[] = [];
  private readonly kernelInputs: Float64Array[][] = [];
  private readonly kernelOutputs: Float64Array[] = [];
  private readonly inputBuffers: Float64Array[];
  readonly outputs: readonly Tensor[];
  readonly stats: PlanStats;
  private readonly lines: string[] = [];

  constructor(
    readonly inputs: readonly Tensor[],
    outputs: readonly Tensor[],
    options: PlanOptions = {},
  ) {
    const order = topoSort(outputs);
    const buffers = new Map<number, Float64Array>();
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
      buffers.set(input.id, given ?? own(input.size));
    });
    for (const node of order) {
      if (buffers.has(node.id)) continue;
      const prim = node.prim;
      if (prim === undefined || !node.tracked) {
        // leaves, and values computed from constants alone while tracing
        if (node.symbolic) {
          throw new Error(`the graph uses placeholder ${node.name ?? `#${node.id}`} that is not an input of the plan`);
        }
        buffers.set(node.id, node.data); // a constant: baked in, never written
        this.lines.push(`%${node.id} = const ${formatShape(node.shape)}`);
        continue;
      }
      const ins = node.inputs.map((i) => buffers.get(i.id)!);
      if (prim.alias) {
        buffers.set(node.id, ins[0]!);
      } else {
        const out = own(node.size);
        buffers.set(node.id, out);
        this.kernels.push(prim.prepare(node.inputs.map((i) => i.shape), node.shape, node.attrs));
        this.kernelInputs.push(ins);
        this.kernelOutputs.push(out);
      }
      this.lines.push(
        `%${node.id} = ${prim.name}(${node.inputs.map((i) => `%${i.id}`).join(', ')}) ${formatShape(node.shape)}${prim.alias ? ' (alias)' : ''}`,
      );
    }
    this.inputBuffers = inputs.map((i) => buffers.get(i.id)!);
    this.outputs = outputs.map((o) => constant(buffers.get(o.id)!, o.shape));
    this.stats = { nodes: order.length, kernels: this.kernels.length, buffers: bufferCount, bufferElements };
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

  /** Runs every kernel on the current contents of the input buffers. */
  execute(): void {
    const kernels = this.kernels;
    const ins = this.kernelInputs;
    const outs = this.kernelOutputs;
    for (let k = 0; k < kernels.length; k++) kernels[k]!(ins[k]!, outs[k]!);
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

