// Softmax of affine logits in one kernel. A softmax over the last axis of z = A·B + c, with c made
// of per-column values (a bias [n], log mixing weights, -|mu_j|²/2: sums and differences of [n],
// [1, n] and one-element values), is the model of softmax regression, attention scores and mixture
// responsibilities. Unfused, a step writes and re-reads the [rows, n] logits three times (the
// product, the bias loop, the softmax); here one kernel (kernels/softmax-affine.ts, natively one
// pass per block of rows) computes the logits, the softmax and, for a logsumexp paired with it by
// the lse-softmax pass, each row's logsumexp. When the softmax is read only by a product with a
// constant whose rows are each one value (w_r: the weights of a sum over rows, as the gradient of
// sum_r w_r logsumexp(z_r) has them), that product is computed in the same kernel too.
// The sums over rows that the gradient of A·B takes of that output g, Σ_r g[r, j] (through a neg
// too) and gᵀ·A, come out of the kernel as well: their nodes' steps copy them.
// The bias c_j is the logits' expression with the product taken as 0 (a few values per step), so
// z = A·B + c is rounded once more or less than the unfused (c0 + A·B) - c1: a last-bit change.
import { isConstant } from '../graph.js';
import type { MatmulAttrs } from '../kernels/matmul.js';
import { AFFINE_MAX_WEIGHTS, AffineSoftmaxKernel } from '../kernels/softmax-affine.js';
import type { ReduceAttrs } from '../primitives/reduce.js';
import type { Kernel } from '../primitive.js';
import { formatShape, sameShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import type { SharedSoftmax, SharedStep } from './lse-softmax.js';

/** The nodes of a plan computed by affine-softmax kernels. */
export interface AffineSoftmax {
  /** Whether a node is computed inside such a kernel (it has no step of its own). */
  absorbs(id: number): boolean;
  /** Whether a node's step is such a kernel (the softmax, or the product scaling its rows), or copies a sum it computed. */
  carries(id: number): boolean;
  step(node: Tensor): SharedStep;
}

/** One column's value of the bias, read from the kernel's inputs (A, B, then the bias's values). */
type Column = (inputs: readonly Float64Array[], j: number) => number;

/** The logits as A·B + bias: the product, the bias's values and expression, the [rows, n] nodes it replaces. */
interface Logits {
  readonly product: Tensor;
  readonly values: readonly Tensor[];
  readonly bias: Column;
  readonly nodes: readonly Tensor[];
}

/** An affine softmax found in a plan. */
interface Found {
  readonly a: Tensor;
  readonly b: Tensor;
  readonly values: readonly Tensor[];
  readonly bias: Column;
  readonly kernel: AffineSoftmaxKernel;
  readonly scaled: boolean;
  readonly line: (node: Tensor) => string;
}

/** A node whose value the kernel of `carrier` computes: a copy (negated with `negate`) of `values`. */
interface Copied {
  readonly carrier: Tensor;
  readonly values: Float64Array;
  readonly negate: boolean;
  readonly what: string;
}

/** The most add/sub nodes between the softmax and its product (deeper expressions keep their loops). */
const MAX_DEPTH = 8;

/**
 * x as A·B + c: x is a matmul (not transposing A) or add/sub nodes of x's shape over exactly one
 * such matmul, taken with sign +, and values of one element or one per column ([n], [1, n]),
 * directly or through a broadcastTo.
 */
function logitsOf(x: Tensor, inputsOf: (t: Tensor) => readonly Tensor[]): Logits | undefined {
  const n = x.shape[1]!;
  const values: Tensor[] = [];
  const nodes: Tensor[] = [];
  let product: Tensor | undefined;
  const perColumn = (t: Tensor): boolean => t.size === 1 || (t.size === n && t.shape.length <= 2 && t.shape[t.shape.length - 1] === n);
  const visit = (t: Tensor, positive: boolean, depth: number): Column | undefined => {
    if (!sameShape(t.shape, x.shape)) {
      if (!perColumn(t)) return undefined;
      if (!values.includes(t)) values.push(t);
      const at = 2 + values.indexOf(t);
      return t.size === 1 ? (ins) => ins[at]![0]! : (ins, j) => ins[at]![j]!;
    }
    const name = t.prim?.name;
    if (name === 'broadcastTo') {
      // a per-column value (or one value, as the uniform pass leaves a constant) broadcast to the logits' shape
      const source = inputsOf(t)[0]!;
      if (sameShape(source.shape, x.shape)) return undefined;
      nodes.push(t);
      return visit(source, positive, depth + 1);
    }
    if (name === 'matmul') {
      const ab = inputsOf(t);
      if (product !== undefined || !positive || (t.attrs as MatmulAttrs).transA || ab.some((i) => i.shape.length !== 2)) return undefined;
      product = t;
      nodes.push(t);
      return () => 0;
    }
    if ((name !== 'add' && name !== 'sub') || depth > MAX_DEPTH) return undefined;
    nodes.push(t);
    const [u, v] = inputsOf(t);
    const left = visit(u!, positive, depth + 1);
    const right = visit(v!, name === 'add' ? positive : !positive, depth + 1);
    if (left === undefined || right === undefined) return undefined;
    return name === 'add' ? (ins, j) => left(ins, j) + right(ins, j) : (ins, j) => left(ins, j) - right(ins, j);
  };
  const bias = visit(x, true, 0);
  return bias === undefined || product === undefined ? undefined : { product, values, bias, nodes };
}

/** The weight of each row of a constant [rows, n] or [rows, 1] whose rows are each one value, else undefined. */
function rowWeights(c: Tensor, rows: number, n: number): Float64Array | undefined {
  if (!isConstant(c) || c.shape.length !== 2 || c.shape[0] !== rows || (c.shape[1] !== n && c.shape[1] !== 1)) return undefined;
  const width = c.shape[1]!;
  const w = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const v = c.data[r * width]!;
    for (let j = 1; j < width; j++) if (!Object.is(c.data[r * width + j], v)) return undefined;
    w[r] = v;
  }
  return w;
}

/**
 * Finds softmax nodes over the last axis of [rows, n] affine logits whose intermediate values
 * nothing else reads, and, where a softmax is read only by a product with row weights, that
 * product: each becomes one kernel. `computed` is reordered in place: a scaling product moves
 * right after its softmax (it reads only the softmax and a constant), so that the logsumexp read
 * off the softmax's kernel runs after it.
 */
export function fuseAffineSoftmax(
  computed: Tensor[], inputsOf: (t: Tensor) => readonly Tensor[], isOutput: (t: Tensor) => boolean, shared: SharedSoftmax | undefined,
): AffineSoftmax {
  const readers = new Map<number, Tensor[]>();
  for (const node of computed) {
    for (const i of new Set(inputsOf(node))) {
      const list = readers.get(i.id);
      if (list === undefined) readers.set(i.id, [node]);
      else list.push(node);
    }
  }
  const readersOf = (t: Tensor): Tensor[] => readers.get(t.id) ?? [];
  const absorbed = new Set<number>();
  const found = new Map<number, Found>();
  const copied = new Map<number, Copied>();
  /** Whether t is sum(input) over axis 0 of a [rows, n] input. */
  const columnSum = (t: Tensor, input: Tensor): boolean =>
    t.prim?.name === 'sum' && inputsOf(t)[0] === input && (t.attrs as ReduceAttrs).axes.length === 1 && (t.attrs as ReduceAttrs).axes[0] === 0;
  for (const s of [...computed]) {
    if (s.prim?.name !== 'softmax' || s.shape.length !== 2 || (s.attrs as { axis: number }).axis !== 1) continue;
    // the values the softmax reads, through identity aliases
    const chain: Tensor[] = [];
    let x = inputsOf(s)[0]!;
    while (x.prim?.name === 'identity') {
      chain.push(x);
      x = inputsOf(x)[0]!;
    }
    const [rows, n] = s.shape as [number, number];
    const logits = logitsOf(x, inputsOf);
    if (logits === undefined || rows === 0 || n === 0) continue;
    const [a, b] = inputsOf(logits.product) as [Tensor, Tensor];
    const { transB } = logits.product.attrs as MatmulAttrs;
    const k = a.shape[1]!;
    if (n * k > AFFINE_MAX_WEIGHTS) continue;
    // nothing outside reads the logits or their parts: the softmax, its identities and its paired logsumexp read x
    const inside = new Set(logits.nodes.map((t) => t.id));
    const readsX = (r: Tensor): boolean => r === s || chain.includes(r) || shared?.softmaxOf(r.id) === s;
    if (!logits.nodes.every((t) => !isOutput(t) && readersOf(t).every((r) => (t === x ? readsX(r) : inside.has(r.id))))) continue;
    if (!chain.every((t) => !isOutput(t) && readersOf(t).every((r) => r === s || chain.includes(r)))) continue;
    // the softmax times row weights, when that product is all that reads it
    const sReaders = readersOf(s);
    const m = !isOutput(s) && sReaders.length === 1 && sReaders[0]!.prim?.name === 'mul' && sameShape(sReaders[0]!.shape, s.shape) ? sReaders[0]! : undefined;
    const other = m === undefined ? undefined : inputsOf(m).find((i) => i !== s);
    const scale = other === undefined ? undefined : rowWeights(other, rows, n);
    const carrier = scale === undefined ? s : m!;
    for (const t of [...logits.nodes, ...chain, ...(carrier === s ? [] : [s])]) absorbed.add(t.id);
    const paired = shared?.rowsOf(s.id) !== undefined;
    // the sums over rows a gradient takes of the output: Σ_r (or -Σ_r through a neg read by the sum alone) and gᵀ·A
    let colsum: { node: Tensor; negate: boolean } | undefined;
    let gta: Tensor | undefined;
    for (const r of readersOf(carrier)) {
      const attrs = r.attrs as MatmulAttrs;
      if (gta === undefined && r.prim?.name === 'matmul' && attrs.transA && !attrs.transB && inputsOf(r)[0] === carrier && inputsOf(r)[1] === a) {
        gta = r;
      } else if (colsum === undefined && columnSum(r, carrier)) {
        colsum = { node: r, negate: false };
      } else if (colsum === undefined && r.prim?.name === 'neg' && !isOutput(r) && readersOf(r).length === 1 && columnSum(readersOf(r)[0]!, r)) {
        absorbed.add(r.id);
        colsum = { node: readersOf(r)[0]!, negate: true };
      }
    }
    const kernel = new AffineSoftmaxKernel({ rows, n, k, transB }, {
      ...(scale === undefined ? {} : { scale }), lse: paired, colsum: colsum !== undefined, gta: gta !== undefined,
    });
    if (gta !== undefined) copied.set(gta.id, { carrier, values: kernel.gta!, negate: false, what: 'ᵀ·A' });
    if (colsum !== undefined) copied.set(colsum.node.id, { carrier, values: kernel.colsum!, negate: colsum.negate, what: colsum.negate ? 'column sums, negated' : 'column sums' });
    if (paired) shared!.writtenBy(s.id, carrier, kernel.lse!);
    if (carrier !== s) {
      computed.splice(computed.indexOf(carrier), 1);
      computed.splice(computed.indexOf(s) + 1, 0, carrier);
    }
    const names = [a, b, ...logits.values].map((t) => `%${t.id}`);
    found.set(carrier.id, {
      a, b, values: logits.values, bias: logits.bias, kernel, scaled: scale !== undefined,
      line: (node) => `%${node.id} = softmax(${names[0]} · ${names[1]}${transB ? 'ᵀ' : ''} + bias(${names.slice(2).join(', ')}))` +
        `${scale === undefined ? '' : ` · rows of %${other!.id}`} ${formatShape(node.shape)}${paired ? ' (+ logsumexp of its rows)' : ''}` +
        `${colsum === undefined ? '' : ' (+ its column sums)'}${gta === undefined ? '' : ' (+ its ᵀ·A)'}`,
    });
  }
  return {
    absorbs: (id) => absorbed.has(id),
    carries: (id) => found.has(id) || copied.has(id),
    step: (node) => {
      const c = copied.get(node.id);
      if (c !== undefined) {
        const { values, negate } = c;
        return {
          kernel: negate ? (_ins, out) => { for (let i = 0; i < values.length; i++) out[i] = -values[i]!; } : (_ins, out) => out.set(values),
          inputs: [c.carrier],
          label: `${node.prim!.name}(from softmax) ${formatShape(node.shape)}`,
          line: `%${node.id} = ${node.prim!.name}(%${c.carrier.id}) ${formatShape(node.shape)} (its ${c.what}, from the softmax's kernel)`,
        };
      }
      const f = found.get(node.id)!;
      const { bias } = f.kernel;
      const kernel: Kernel = (ins, out) => {
        for (let j = 0; j < bias.length; j++) bias[j] = f.bias(ins, j);
        f.kernel.run(ins[0]!, ins[1]!, out);
      };
      return {
        kernel,
        inputs: [f.a, f.b, ...f.values],
        label: `softmax(affine${f.scaled ? '·rows' : ''}) ${formatShape(node.shape)}`,
        line: f.line(node),
      };
    },
  };
}
