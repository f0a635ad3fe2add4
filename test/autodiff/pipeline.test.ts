// The compiler pipeline pass by pass: each pass takes a Graph and returns one, checked on the graph it returns.
import { describe, expect, it } from 'vitest';
import {
  add, compileGraph, constant, DEFERRED_CONSTANT_ELEMENTS, div, exp, formatGraph, graphNode, graphOf, logsumexp, matmul, mul, neg,
  ones, OPTIONAL_PASSES, PIPELINE, placeholder, primitiveFamilies, ShapeError, softmax, sub, sum, transpose, withDeferredConstants, zeros,
  type Graph, type Pass, type Tensor,
} from '@descent/autodiff';

const pass = (name: Pass['name']): Pass => PIPELINE.find((p) => p.name === name)!;

/** The graph after the passes before `name` (all selected), and the pass itself applied to it. */
function around(name: Pass['name'], inputs: Tensor[], outputs: Tensor[]): { before: Graph; after: Graph } {
  let g = graphOf(inputs, outputs);
  for (const p of PIPELINE) {
    if (p.name === name) return { before: g, after: p.run(g, {}) };
    g = p.run(g, {});
  }
  throw new Error(`no pass ${name}`);
}

/** The primitive names of a graph's computed nodes, in order. */
const prims = (g: Graph): string[] => g.computed.map((n) => n.prim!.name);

describe('the pipeline', () => {
  it('lists every pass once, the optional ones first, in the order they run', () => {
    expect(PIPELINE.map((p) => p.name)).toEqual(['uniform', 'softmax-sums', 'products', 'arc-slope', 'cse', 'lse-softmax', 'softmax-affine', 'fuse', 'prepare', 'hoisting', 'buffers']);
    expect(PIPELINE.slice(0, OPTIONAL_PASSES.length).map((p) => p.name)).toEqual([...OPTIONAL_PASSES]);
  });

  it('prints a graph before any pass as one line per node, constants first', () => {
    const x = placeholder([3], 'x');
    const g = graphOf([x], [exp(mul(x, 2))]);
    expect(formatGraph(g).replace(/%\d+/g, '%')).toBe(['% = const []', '% = mul(%, %) [3]', '% = exp(%) [3]'].join('\n'));
  });
});

describe('each pass, graph in and graph out', () => {
  it('uniform: an elementwise read of an array of equal values becomes a broadcast of one value', () => {
    const x = placeholder([4]);
    const { before, after } = around('uniform', [x], [mul(x, mul(ones([4]), 2))]);
    expect(prims(before)).toEqual(['mul']);
    expect(prims(after)).toEqual(['broadcastTo', 'mul']);
    expect(after.constants.map((c) => c.shape)).toEqual([[]]);
    // an identity operand (x * 1, x + 0, x - 0, x / 1) is dropped: the node is its other operand
    for (const op of [(t: Tensor) => mul(ones([4]), t), (t: Tensor) => add(t, zeros([4])), (t: Tensor) => sub(t, 0), (t: Tensor) => div(t, ones([1]))]) {
      const identity = around('uniform', [x], [exp(op(x))]).after;
      expect(prims(identity)).toEqual(['exp']);
      expect(identity.computed[0]!.inputs[0]).toBe(x);
    }
    // 0 - x is not x, and x * 1 where the 1s broadcast x to a larger shape keeps its product
    expect(prims(around('uniform', [x], [sub(zeros([4]), x)]).after)).toEqual(['broadcastTo', 'sub']);
    expect(prims(around('uniform', [x], [mul(x, ones([2, 4]))]).after)).toEqual(['broadcastTo', 'mul']);
    // nothing to rewrite: the same graph comes back
    const plain = graphOf([x], [exp(x)]);
    expect(pass('uniform').run(plain, {})).toBe(plain);
  });

  it('softmax-sums: a term constant along the axis leaves the softmax\'s derivative', () => {
    // the rule's form, p ⊙ (u − Σ u ⊙ p), with u = v + c (c [3, 1] broadcast along the axis)
    const v = placeholder([3, 4]);
    const c = placeholder([3, 1]);
    const p = softmax(v, 1);
    const u = add(v, c);
    const { before, after } = around('softmax-sums', [v, c], [mul(p, sub(u, sum(mul(u, p), 1, { keepDims: true })))]);
    expect(prims(before)).toEqual(['softmax', 'add', 'mul', 'sum', 'sub', 'mul']);
    expect(prims(after)).toEqual(['softmax', 'mul', 'sum', 'sub', 'mul']);
    expect(after.computed.some((n) => n.inputs.includes(c))).toBe(false);
    // nothing to drop: the same graph comes back
    const plain = graphOf([v], [mul(p, sub(v, sum(mul(v, p), 1, { keepDims: true })))]);
    expect(pass('softmax-sums').run(plain, {})).toBe(plain);
  });

  it('products: a transpose feeding a matmul becomes its flag', () => {
    const a = placeholder([3, 2]);
    const b = placeholder([3, 4]);
    const { before, after } = around('products', [a, b], [matmul(transpose(a), b)]);
    expect(prims(before)).toEqual(['transpose', 'matmul']);
    expect(prims(after)).toEqual(['matmul']);
    expect(after.computed[0]!.attrs).toEqual({ transA: true, transB: false });
    expect(after.outputs[0]!.shape).toEqual([2, 4]);
  });

  it('cse: two identical nodes become one, the second standing for the first', () => {
    const x = placeholder([3]);
    const e1 = exp(x);
    const e2 = exp(x);
    const { before, after } = around('cse', [x], [mul(e1, e2)]);
    expect(prims(before)).toEqual(['exp', 'exp', 'mul']);
    expect(prims(after)).toEqual(['exp', 'mul']);
    expect(after.canonical(e2)).toBe(e1);
  });

  it('lse-softmax: a logsumexp and a softmax of the same rows share one kernel, the softmax first', () => {
    const x = placeholder([2, 5]);
    const l = logsumexp(x, [1]);
    const s = softmax(x, 1);
    const { before, after } = around('lse-softmax', [x], [l, s]);
    expect(before.sharedSoftmax).toBeUndefined();
    expect(after.sharedSoftmax!.has(l.id) && after.sharedSoftmax!.has(s.id)).toBe(true);
    expect(prims(after)).toEqual(['softmax', 'logsumexp']);
  });

  it('softmax-affine: a softmax of A·Bᵀ + a bias is one kernel with its logits; the product scaling its rows too', () => {
    const a = constant(new Float64Array([1, 2, 3, 4, 5, 6]), [3, 2]);
    const b = placeholder([4, 2]);
    const bias = placeholder([4]);
    const weights = constant(new Float64Array([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]), [3, 4]);
    const logits = add(matmul(a, transpose(b)), bias);
    const scaled = mul(weights, softmax(logits, 1));
    const l = logsumexp(logits, [1]);
    const { before, after } = around('softmax-affine', [b, bias], [l, scaled]);
    expect(before.affineSoftmax).toBeUndefined();
    const fused = after.affineSoftmax!;
    // (the products pass rebuilt the nodes from the matmul on: the plan's own output node)
    expect(fused.carries(after.canonical(after.outputs[1]!).id)).toBe(true);
    const absorbed = after.computed.filter((n) => fused.absorbs(n.id)).map((n) => n.prim!.name);
    expect(absorbed.sort()).toEqual(['add', 'matmul', 'softmax']);
    // the product runs right after the softmax it absorbs, before the logsumexp read off them
    const names = prims(after);
    expect(names.indexOf('mul')).toBe(names.indexOf('softmax') + 1);
    expect(names.indexOf('mul')).toBeLessThan(names.indexOf('logsumexp'));
  });

  it('fuse: an elementwise chain is one group, a sum over it absorbs it', () => {
    const x = placeholder([6]);
    const chain = exp(neg(x));
    const { after } = around('fuse', [x], [sum(chain)]);
    const group = after.groups!.get(chain.id)!;
    expect(group.members.map((m) => m.prim!.name)).toEqual(['neg', 'exp']);
    expect([...after.reductions!.values()]).toEqual([group]);
  });

  it('prepare: one step per kernel, with the listing dump() prints', () => {
    const x = placeholder([6]);
    const { before, after } = around('prepare', [x], [sum(exp(neg(x)))]);
    expect(before.steps).toBeUndefined();
    expect(after.steps!.map((s) => s.label)).toEqual(['sum(neg+exp) []']);
    expect(after.fused).toBe(2);
    expect(formatGraph(after)).toMatch(/= sum\(%\d+\) \[\] \{ const t0 = \(-a0\); const t1 = lib\.exp\(t0\); v = t1 \}/);
  });

  it('hoisting: kernels of constants alone move first and are counted once', () => {
    const x = placeholder([2]);
    const big = DEFERRED_CONSTANT_ELEMENTS + 1;
    const fixed = withDeferredConstants(true, () => exp(constant(new Float64Array(big), [big])));
    const { before, after } = around('hoisting', [x], [mul(x, sum(fixed))]);
    expect(before.steps!.map((s) => s.node.prim!.name)).toEqual(['sum', 'mul']);
    expect(after.hoisted).toBe(1);
    expect(after.kept!.size).toBe(2); // the output, and the hoisted sum the mul reads
  });

  it('buffers: pooled buffers for intermediates unless reuse is off; the caller\'s input buffers are used', () => {
    const x = placeholder([5]);
    const outputs = [sum(exp(mul(exp(x), exp(neg(x)))))];
    const given = new Float64Array(5);
    const only = { passes: [] } as const;
    const pooled = compileGraph([x], outputs, { ...only, inputBuffers: [given] }).buffers!;
    const separate = compileGraph([x], outputs, { ...only, reuseBuffers: false }).buffers!;
    expect(pooled.inputs[0]).toBe(given);
    expect(separate.count).toBe(1 + 6); // the input's, then one per kernel
    expect(pooled.count).toBeLessThan(separate.count - 1);
  });
});

describe('passes build nodes through checked constructors', () => {
  it('graphNode checks arity and shapes by the primitive\'s own rule', () => {
    const { matmul: mm } = primitiveFamilies.linalg;
    const a = placeholder([2, 3]);
    expect(graphNode(mm, [a, placeholder([3, 4])], { transA: false, transB: false }).shape).toEqual([2, 4]);
    expect(() => graphNode(mm, [a, a], { transA: false, transB: false })).toThrow(ShapeError);
    expect(() => graphNode(mm, [a], { transA: false, transB: false })).toThrow(/takes 2 inputs/);
  });
});
