// The compiler's one IR: a Graph (inputs, outputs, nodes in topological order) and what each pass adds to it.
import type { FusedGroup } from './optimize/fuse.js';
import type { SharedSoftmax } from './optimize/lse-softmax.js';
import type { ResidualPass } from './optimize/residual.js';
import type { AffineSoftmax } from './optimize/softmax-affine.js';
import type { Kernel, Primitive } from './primitive.js';
import { formatShape } from './shape.js';
import { constant, outputShape, Tensor } from './tensor.js';

/** One kernel launch of a plan: the node it computes, the values it reads, and how it prints. */
export interface Step {
  readonly node: Tensor;
  readonly kernel: Kernel;
  readonly inputs: readonly Tensor[];
  /** For kernel timings: the primitive (or the fused primitives) and the shape. */
  readonly label: string;
}

/** Where every value of a scheduled graph lives (the buffers pass). */
export interface Buffers {
  readonly inputs: readonly Float64Array[];
  readonly of: (t: Tensor) => Float64Array;
  /** Buffers the plan allocated, and their total length. */
  readonly count: number;
  readonly elements: number;
}

/**
 * A traced graph on its way to a plan. Built by `graphOf` from placeholders and outputs; each pass
 * of the pipeline (pipeline.ts) returns a new Graph, rewriting the nodes (uniform, softmax-sums, products) or
 * adding what it decided (cse: the node standing for each node; lse-softmax, fuse: how nodes are
 * computed; prepare, hoisting: the kernels in order; buffers: where values live). `formatGraph`
 * prints it at any stage.
 */
export interface Graph {
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  /** Every node behind the outputs, each after all its inputs. */
  readonly order: readonly Tensor[];
  /** The node computing each node's value: itself, unless cse merged it into an earlier identical node. */
  readonly canonical: (t: Tensor) => Tensor;
  /** The nodes kernels compute (or that alias another node's buffer), canonical ones only, in the order they run. */
  readonly computed: readonly Tensor[];
  /** Constants the plan reads as they are, in order. */
  readonly constants: readonly Tensor[];
  /** logsumexp nodes read off a softmax the plan computes anyway (lse-softmax). */
  readonly sharedSoftmax?: SharedSoftmax;
  /** Softmax nodes of affine logits computed in one kernel with their logits (softmax-affine). */
  readonly affineSoftmax?: AffineSoftmax;
  /** Elementwise groups computed in one loop, by root id; reductions computing their input group's loop (fuse). */
  readonly groups?: ReadonlyMap<number, FusedGroup>;
  readonly reductions?: ReadonlyMap<number, FusedGroup>;
  /** Reductions of one residual computed in one pass over its matrix, by reduction id (fuse; optimize/residual.ts). */
  readonly residual?: ReadonlyMap<number, ResidualPass>;
  /** The kernels in the order they run (prepare), and the listing `dump()` prints. */
  readonly steps?: readonly Step[];
  readonly listing?: readonly string[];
  /** Elementwise nodes computed inside another node's loop instead of their own kernel. */
  readonly fused?: number;
  /** How many leading steps read no plan input and run once (hoisting); values those steps leave for the others. */
  readonly hoisted?: number;
  readonly kept?: ReadonlySet<number>;
  readonly buffers?: Buffers;
}

/** Every node reachable from `outputs` through recorded inputs, each after all its inputs. */
export function topoSort(outputs: readonly Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const state = new Map<number, 1 | 2>(); // 1: on the stack, 2: emitted
  const stack: { node: Tensor; next: number }[] = [];
  for (const root of outputs) {
    if (state.has(root.id)) continue;
    stack.push({ node: root, next: 0 });
    state.set(root.id, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.node.inputs.length) {
        const child = top.node.inputs[top.next++]!;
        if (!state.has(child.id)) {
          state.set(child.id, 1);
          stack.push({ node: child, next: 0 });
        }
      } else {
        stack.pop();
        state.set(top.node.id, 2);
        order.push(top.node);
      }
    }
  }
  return order;
}

/**
 * A constant: a leaf with values, or a node computed from constants while tracing (its value is
 * known; a plan reads it as it is).
 */
export function isConstant(t: Tensor): boolean {
  return (t.prim === undefined || !t.tracked) && !t.symbolic;
}

const itself = (t: Tensor): Tensor => t;

/** The graph behind `outputs`, in topological order, with no pass applied. */
export function graphOf(inputs: readonly Tensor[], outputs: readonly Tensor[]): Graph {
  return classified({ inputs, outputs, order: topoSort(outputs), canonical: itself, computed: [], constants: [] });
}

/** `g` with its nodes sorted into constants and computed nodes, under its `canonical` (inputs and merged nodes are neither). */
export function classified(g: Graph): Graph {
  const inputs = new Set(g.inputs.map((i) => i.id));
  const computed: Tensor[] = [];
  const constants: Tensor[] = [];
  for (const node of g.order) {
    if (inputs.has(node.id) || g.canonical(node) !== node) continue;
    if (node.prim === undefined || isConstant(node)) {
      // leaves, and values computed from constants alone while tracing; a large constant deferred
      // while tracing (see withDeferredConstants) is computed by the plan like any node, so fusion
      // can read a broadcast in place and its buffer is reused
      if (node.symbolic) throw new Error(`the graph uses placeholder ${node.name ?? `#${node.id}`} that is not an input of the plan`);
      constants.push(node);
      continue;
    }
    computed.push(node);
  }
  return { ...g, computed, constants };
}

/** The inputs a node reads, under the graph's `canonical`. */
export function inputsOf(g: Graph, t: Tensor): Tensor[] {
  return t.inputs.map(g.canonical);
}

/** Nodes merged into an earlier identical node by cse. */
export function mergedCount(g: Graph): number {
  const inputs = new Set(g.inputs.map((i) => i.id));
  return g.order.filter((n) => !inputs.has(n.id) && g.canonical(n) !== n).length;
}

/**
 * A node of `prim` over `inputs`, for passes that rewrite a graph: arity and shapes checked by
 * the primitive's own rule (a ShapeError naming it otherwise), computed by the plan (never now).
 */
export function graphNode<A>(prim: Primitive<A>, inputs: readonly Tensor[], attrs: A, name?: string): Tensor {
  return new Tensor(outputShape(prim, inputs, attrs), prim as Primitive, inputs, attrs, undefined, true, name);
}

/** `node` computed from other inputs (its primitive, attributes and name kept; shapes checked again). */
export function withInputs(node: Tensor, inputs: readonly Tensor[]): Tensor {
  return graphNode(node.prim!, inputs, node.attrs, node.name);
}

/** A one-element constant leaf holding `value`. */
export function scalarConstant(value: number): Tensor {
  return constant(Float64Array.of(value), []);
}

/**
 * The graph as text, one node per line: `%id = prim(%inputs) shape`, constants first. After
 * prepare, each line says how the plan computes the node (fused loops with their generated code,
 * aliases, logsumexp read off a softmax); that listing is what `Plan.dump()` prints.
 */
export function formatGraph(g: Graph): string {
  if (g.listing !== undefined) return g.listing.join('\n');
  const lines = g.constants.map((c) => `%${c.id} = const ${formatShape(c.shape)}`);
  for (const node of g.computed) {
    const ins = inputsOf(g, node).map((i) => `%${i.id}`).join(', ');
    lines.push(`%${node.id} = ${node.prim!.name}(${ins}) ${formatShape(node.shape)}${node.prim!.alias ? ' (alias)' : ''}`);
  }
  return lines.join('\n');
}
