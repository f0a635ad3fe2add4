// The compiler pipeline: the named list of passes, each Graph → Graph, that turns a traced graph into a scheduled one.
import { allocate } from './alloc.js';
import { classified, graphOf, inputsOf, type Graph, type Step } from './graph.js';
import { rewriteArcKernels } from './optimize/arc-slope.js';
import { assignBuffers } from './optimize/buffers.js';
import { eliminateCommon } from './optimize/cse.js';
import { groupElementwise, groupKernel, reductionGroupKernel, reductionsOverGroups, type FusedGroup } from './optimize/fuse.js';
import { shareSoftmax } from './optimize/lse-softmax.js';
import { fuseAffineSoftmax } from './optimize/softmax-affine.js';
import { residualPasses, residualStep, type ResidualPass } from './optimize/residual.js';
import { rewriteProducts } from './optimize/products.js';
import { rewriteSoftmaxSums } from './optimize/softmax-sums.js';
import { rewriteUniformConstants } from './optimize/uniform.js';
import { formatShape, ShapeError } from './shape.js';
import { kernelMode } from './kernels/codegen.js';
import type { Tensor } from './tensor.js';

/** The passes a plan may leave out (all run by default); without any, a plan has one kernel per node, the reference. */
export const OPTIONAL_PASSES = ['uniform', 'softmax-sums', 'products', 'arc-slope', 'cse', 'lse-softmax', 'softmax-affine', 'fuse'] as const;
export type OptionalPass = (typeof OPTIONAL_PASSES)[number];

/** Options of a plan. */
export interface PlanOptions {
  /** Input buffers owned by the caller (shared between plans, written in place). */
  readonly inputBuffers?: readonly Float64Array[];
  /** The optional passes to run (default: every one of OPTIONAL_PASSES). */
  readonly passes?: readonly OptionalPass[];
  /** Reuse a buffer once its last reader has run (default true); false gives one buffer per kernel. */
  readonly reuseBuffers?: boolean;
}

/** One pass: its name, and the rewrite or decision it adds to the graph. */
export interface Pass {
  readonly name: OptionalPass | 'prepare' | 'hoisting' | 'buffers';
  readonly run: (g: Graph, options: PlanOptions) => Graph;
}

/** The buffer owner of each node: aliases (reshape, identity) share their input's buffer. */
function owners(g: Graph): (t: Tensor) => number {
  const ownerOf = new Map<number, number>();
  const owner = (t: Tensor): number => ownerOf.get(t.id) ?? t.id;
  for (const node of g.computed) if (node.prim!.alias) ownerOf.set(node.id, owner(inputsOf(g, node)[0]!));
  return owner;
}

/** Whether `t` is (the buffer of) a plan output. */
function outputTest(g: Graph): (t: Tensor) => boolean {
  const owner = owners(g);
  const ids = new Set(g.outputs.map((o) => owner(g.canonical(o))));
  return (t) => ids.has(t.id);
}

/**
 * Uniform constant arrays read by elementwise loops become one value (optimize/uniform.ts).
 * Runs before cse, on the graph as traced.
 */
const uniform: Pass = {
  name: 'uniform',
  run: (g) => {
    const { outputs, replaced } = rewriteUniformConstants(g.order, g.outputs);
    return replaced === 0 ? g : graphOf(g.inputs, outputs);
  },
};

/** Terms constant along a softmax's axis dropped from its derivative, where they add 0 (optimize/softmax-sums.ts). */
const softmaxSums: Pass = {
  name: 'softmax-sums',
  run: (g) => {
    const { outputs, rewritten } = rewriteSoftmaxSums(g.order, g.outputs);
    return rewritten === 0 ? g : graphOf(g.inputs, outputs);
  },
};

/** Matrix-product rewrites: transposes into flags, scales out of big operands, shared operands merged (optimize/products.ts). */
const products: Pass = {
  name: 'products',
  run: (g) => {
    const { outputs } = rewriteProducts(g.order, g.outputs);
    // a rewritten node rewrites every node reading it, up to the outputs
    return outputs.some((o, k) => o !== g.outputs[k]) ? graphOf(g.inputs, outputs) : g;
  },
};

/** The arc-cosine kernel's value read off the slope its gradient computes anyway (optimize/arc-slope.ts). */
const arcSlope: Pass = {
  name: 'arc-slope',
  run: (g) => {
    const { outputs, replaced } = rewriteArcKernels(g.order, g.outputs);
    return replaced === 0 ? g : graphOf(g.inputs, outputs);
  },
};

/** Common subexpressions computed once (optimize/cse.ts). */
const cse: Pass = {
  name: 'cse',
  run: (g) => classified({ ...g, canonical: eliminateCommon(g.order) }),
};

/** logsumexp read off a softmax of the same values (optimize/lse-softmax.ts): may move softmax nodes earlier. */
const lseSoftmax: Pass = {
  name: 'lse-softmax',
  run: (g) => {
    const computed = [...g.computed];
    const sharedSoftmax = shareSoftmax(computed, (t) => inputsOf(g, t));
    return { ...g, computed, sharedSoftmax };
  },
};

/** A softmax of affine logits (A·B + per-column values) in one kernel with its logits (optimize/softmax-affine.ts): may move a product scaling its rows. */
const softmaxAffine: Pass = {
  name: 'softmax-affine',
  run: (g) => {
    const computed = [...g.computed];
    const affineSoftmax = fuseAffineSoftmax(computed, (t) => inputsOf(g, t), outputTest(g), g.sharedSoftmax);
    return { ...g, computed, affineSoftmax };
  },
};

/** Elementwise chains in one generated loop, and reductions computing their input's loop (optimize/fuse.ts). */
const fuse: Pass = {
  name: 'fuse',
  run: (g) => {
    const isPlanOutput = outputTest(g);
    // the product an affine softmax kernel computes is stored like an output, never fused into its readers' loops
    const isOutput = (t: Tensor): boolean => isPlanOutput(t) || g.affineSoftmax?.carries(t.id) === true;
    const read = (t: Tensor): Tensor[] => inputsOf(g, t);
    const groups = groupElementwise(g.computed, read, isOutput, true);
    const reductions = reductionsOverGroups(g.computed, groups, read, isOutput);
    const residual = kernelMode() === 'generated' ? residualPasses(g.computed, groups, read, isOutput) : new Map<number, ResidualPass>();
    for (const id of residual.keys()) reductions.delete(id);
    return { ...g, groups, reductions, residual };
  },
};

/** The kernel of every computed node (or of its fused loop), in order, with the listing `dump()` prints. */
const prepare: Pass = {
  name: 'prepare',
  run: (g) => {
    const read = (t: Tensor): Tensor[] => inputsOf(g, t);
    // without fuse, every node is a group of its own
    const groups = g.groups ?? groupElementwise(g.computed, read, outputTest(g), false);
    const reductions = g.reductions ?? new Map<number, FusedGroup>();
    const residual = g.residual ?? new Map<number, ResidualPass>();
    const absorbed = new Set([...reductions.values(), ...[...residual.values()].flatMap((p) => p.groups)].map((r) => r.root.id));
    const listing = g.constants.map((c) => `%${c.id} = const ${formatShape(c.shape)}`);
    const steps: Step[] = [];
    let fused = 0;
    for (const node of g.computed) {
      const prim = node.prim!;
      const ins = read(node);
      if (prim.alias) {
        listing.push(`%${node.id} = ${prim.name}(${ins.map((i) => `%${i.id}`).join(', ')}) ${formatShape(node.shape)} (alias)`);
        continue;
      }
      const group = groups.get(node.id);
      if (group === undefined) continue; // computed inside a fused loop
      if (g.affineSoftmax?.absorbs(node.id)) continue; // computed inside an affine softmax's kernel
      if (g.affineSoftmax?.carries(node.id)) {
        const { kernel, inputs, label, line } = g.affineSoftmax.step(node);
        steps.push({ node, kernel, inputs, label });
        listing.push(line);
        continue;
      }
      if (absorbed.has(node.id)) {
        fused += group.members.length; // computed inside the loop of the reduction reading it
        continue;
      }
      const shape = formatShape(node.shape);
      const reduced = reductions.get(node.id);
      const pass = residual.get(node.id);
      if (pass !== undefined) {
        const { step, line } = residualStep(node, pass);
        steps.push(step);
        listing.push(line);
      } else if (reduced !== undefined) {
        const { kernel, text } = reductionGroupKernel(node, reduced, read);
        const names = reduced.members.map((m) => m.prim!.name).join('+');
        steps.push({ node, kernel, inputs: [...reduced.inputs], label: `${prim.name}(${names}) ${shape}` });
        listing.push(`%${node.id} = ${prim.name}(${reduced.inputs.map((i) => `%${i.id}`).join(', ')}) ${shape} { ${text} }`);
      } else if (group.members.length > 1) {
        fused += group.members.length - 1;
        const { kernel, text } = groupKernel(group, read);
        const names = group.members.map((m) => m.prim!.name).join('+');
        steps.push({ node, kernel, inputs: [...group.inputs], label: `fused(${names}) ${shape}` });
        listing.push(`%${node.id} = fused(${group.inputs.map((i) => `%${i.id}`).join(', ')}) ${shape} { ${text} }`);
      } else if (g.sharedSoftmax?.has(node.id)) {
        const { kernel, inputs, label, line } = g.sharedSoftmax.step(node, ins);
        steps.push({ node, kernel, inputs, label });
        listing.push(line);
      } else {
        steps.push({ node, kernel: prim.prepare(ins.map((i) => i.shape), node.shape, node.attrs), inputs: ins, label: `${prim.name} ${shape}` });
        listing.push(`%${node.id} = ${prim.name}(${ins.map((i) => `%${i.id}`).join(', ')}) ${shape}`);
      }
    }
    return { ...g, groups, reductions, steps, listing, fused };
  },
};

/**
 * Kernels reading no plan input, directly or through other kernels, run first and once (a plan's
 * first execution); the values later kernels read from them keep their buffers.
 */
const hoisting: Pass = {
  name: 'hoisting',
  run: (g) => {
    const varying = new Set(g.inputs.map((i) => i.id));
    for (const node of g.computed) if (inputsOf(g, node).some((i) => varying.has(i.id))) varying.add(node.id);
    const steps = g.steps!;
    const once = steps.filter((s) => !varying.has(s.node.id));
    const every = steps.filter((s) => varying.has(s.node.id));
    const owner = owners(g);
    const kept = new Set(g.outputs.map((o) => owner(g.canonical(o))));
    for (const s of every) for (const i of s.inputs) if (!varying.has(i.id)) kept.add(owner(i));
    return { ...g, steps: [...once, ...every], hoisted: once.length, kept };
  },
};

/** A buffer for every value: the caller's or new ones for inputs, constants as they are, pooled buffers for the rest (optimize/buffers.ts). */
const buffers: Pass = {
  name: 'buffers',
  run: (g, options) => {
    let count = 0;
    let elements = 0;
    const own = (n: number): Float64Array => {
      count++;
      elements += n;
      return allocate(n);
    };
    const fixed = new Map<number, Float64Array>();
    g.inputs.forEach((input, i) => fixed.set(input.id, options.inputBuffers?.[i] ?? own(input.size)));
    for (const c of g.constants) fixed.set(c.id, c.data); // baked in, never written
    const owner = owners(g);
    const assigned = assignBuffers(
      g.steps!.map((s) => ({ reads: s.inputs.map(owner), writes: s.node.id, size: s.node.size })),
      g.kept!,
      own,
      options.reuseBuffers !== false,
    );
    const of = (t: Tensor): Float64Array => {
      const o = owner(t);
      const b = fixed.get(o) ?? assigned.get(o);
      if (b === undefined) throw new Error(`plan: no buffer for node #${t.id}`);
      return b.length === t.size ? b : b.subarray(0, t.size);
    };
    return { ...g, buffers: { inputs: g.inputs.map((i) => fixed.get(i.id)!), of, count, elements } };
  },
};

/** The pipeline, in the order the passes run. */
export const PIPELINE: readonly Pass[] = [uniform, softmaxSums, products, arcSlope, cse, lseSoftmax, softmaxAffine, fuse, prepare, hoisting, buffers];

/** Refuses plan inputs that are not placeholders, and caller buffers of the wrong length. */
function checkInputs(inputs: readonly Tensor[], options: PlanOptions): void {
  inputs.forEach((input, i) => {
    if (input.prim !== undefined || !input.symbolic) throw new Error('plan inputs must be placeholders');
    const given = options.inputBuffers?.[i];
    if (given !== undefined && given.length !== input.size) {
      throw new ShapeError('plan', `input buffer ${i} has ${given.length} values, expected shape ${formatShape(input.shape)}`);
    }
  });
}

/** The traced graph of `outputs` through every pass `options` selects: a graph ready to run. */
export function compileGraph(inputs: readonly Tensor[], outputs: readonly Tensor[], options: PlanOptions = {}): Graph {
  checkInputs(inputs, options);
  const selected = new Set<string>(options.passes ?? OPTIONAL_PASSES);
  let g = graphOf(inputs, outputs);
  for (const pass of PIPELINE) {
    if ((OPTIONAL_PASSES as readonly string[]).includes(pass.name) && !selected.has(pass.name)) continue;
    g = pass.run(g, options);
  }
  return g;
}
