// logsumexp from the softmax the plan computes anyway. The gradient of logsumexp over one axis is
// the softmax over that axis, so a plan with both would evaluate exp twice per element: once in
// the logsumexp, once in the softmax. When the plan holds softmax(x, a) and logsumexp(x, [a]) of
// the same x over the last axis, the softmax kernel also stores each row's m + log s (it has the
// max m and the sum s of exp(x - m) in hand), and the logsumexp step only copies those values.
import { allocate } from '../alloc.js';
import { softmaxKernel } from '../kernels/softmax.js';
import type { Kernel } from '../primitive.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';

interface LseAttrs {
  readonly axes: readonly number[];
}
interface SoftmaxAttrs {
  readonly axis: number;
  readonly emptyAsZero?: boolean;
}

/** A plan step for a node of a shared pair. */
export interface SharedStep {
  readonly kernel: Kernel;
  readonly inputs: Tensor[];
  readonly label: string;
  readonly line: string;
}

/** The paired nodes of a plan and the steps that compute them. */
export interface SharedSoftmax {
  has(id: number): boolean;
  step(node: Tensor, inputs: Tensor[]): SharedStep;
  /** The softmax a logsumexp node is read off, if it is one of a pair. */
  softmaxOf(lseId: number): Tensor | undefined;
  /** The buffer a paired softmax's kernel stores the logsumexp of its rows in. */
  rowsOf(softmaxId: number): Float64Array | undefined;
  /**
   * Says that the logsumexp of a paired softmax's rows is written into `rows` by the step of
   * `node` (a kernel that computes the softmax inside it).
   */
  writtenBy(softmaxId: number, node: Tensor, rows: Float64Array): void;
}

/**
 * Finds logsumexp nodes whose softmax is also computed (of the same values, through identity
 * aliases), and moves each such softmax right before its logsumexp in `computed` (a topological
 * order; the softmax reads only x, which the logsumexp reads too, so the order stays valid, and
 * the logsumexp runs after the softmax).
 */
export function shareSoftmax(computed: Tensor[], inputsOf: (t: Tensor) => Tensor[]): SharedSoftmax {
  // the values both read, through identity aliases (a gradient's fresh variable is an identity of
  // the value the forward pass read: its softmax and the forward logsumexp read the same values)
  const valuesOf = (t: Tensor): Tensor => (t.prim?.name === 'identity' ? valuesOf(inputsOf(t)[0]!) : t);
  const softmaxOf = new Map<string, Tensor>();
  for (const node of computed) {
    if (node.prim?.name !== 'softmax') continue;
    const { axis } = node.attrs as SoftmaxAttrs;
    const x = valuesOf(inputsOf(node)[0]!);
    if (axis !== x.shape.length - 1 || x.shape[axis]! < 1) continue;
    softmaxOf.set(`${x.id}|${axis}`, node);
  }
  const lseOf = new Map<number, Tensor>(); // logsumexp id -> its softmax
  const rowsOf = new Map<number, Float64Array>(); // softmax id -> the logsumexp of its rows
  for (const node of [...computed]) {
    if (node.prim?.name !== 'logsumexp') continue;
    const { axes } = node.attrs as LseAttrs;
    if (axes.length !== 1) continue;
    const x = valuesOf(inputsOf(node)[0]!);
    const s = softmaxOf.get(`${x.id}|${axes[0]}`);
    if (s === undefined || rowsOf.has(s.id)) continue;
    lseOf.set(node.id, s);
    // written by the softmax kernel at every run, read by the logsumexp step right after; a
    // private buffer, never pooled (allocated once, with the plan)
    rowsOf.set(s.id, allocate(node.size));
    const at = computed.indexOf(s);
    const lse = computed.indexOf(node);
    if (at > lse) {
      // the softmax, and the identity aliases between it and the values (they compute nothing
      // and read only those values, which the logsumexp reads too), move before the logsumexp
      const moved: Tensor[] = [s];
      for (let t = inputsOf(s)[0]!; t.prim?.name === 'identity' && computed.indexOf(t) > lse; t = inputsOf(t)[0]!) moved.unshift(t);
      for (const t of moved) computed.splice(computed.indexOf(t), 1);
      computed.splice(lse, 0, ...moved);
    }
  }
  const writers = new Map<number, Tensor>(); // softmax id -> the node whose step writes its rows, where not itself
  return {
    has: (id) => lseOf.has(id) || rowsOf.has(id),
    softmaxOf: (lseId) => lseOf.get(lseId),
    rowsOf: (softmaxId) => rowsOf.get(softmaxId),
    writtenBy: (softmaxId, node, rows) => {
      writers.set(softmaxId, node);
      rowsOf.set(softmaxId, rows);
    },
    step: (node, inputs) => {
      const shape = formatShape(node.shape);
      const s = lseOf.get(node.id);
      if (s !== undefined) {
        const rows = rowsOf.get(s.id)!;
        return {
          kernel: (_inputs, out) => out.set(rows),
          inputs: [writers.get(s.id) ?? s],
          label: `logsumexp(from softmax) ${shape}`,
          line: `%${node.id} = logsumexp(%${inputs[0]!.id}) from softmax %${s.id} ${shape}`,
        };
      }
      const { axis, emptyAsZero } = node.attrs as SoftmaxAttrs;
      return {
        kernel: softmaxKernel(inputs[0]!.shape, axis, false, rowsOf.get(node.id)!, emptyAsZero === true),
        inputs,
        label: `softmax(+logsumexp) ${shape}`,
        line: `%${node.id} = softmax(%${inputs[0]!.id}) ${shape} (+ logsumexp of its rows)`,
      };
    },
  };
}
