// logsumexp from a softmax the plan computes anyway. The gradient of logsumexp over one axis is the
// softmax over that axis, so a plan with both evaluates exp twice per element: once in the
// logsumexp, once in the softmax. When the plan holds softmax(x, a) and logsumexp(x, [a]) of the
// same x over a trailing axis, logsumexp is read off the softmax instead: at a row's max element
// x* the softmax is exp(0)/s = 1/s (the kernels compute it as 1 · (1/s)), so
// logsumexp = x* + log s = x* - log max softmax(x), with one max pass and one log per row, no exp.
import type { Kernel } from '../primitive.js';
import { sizeOf, type Shape } from '../shape.js';
import type { Tensor } from '../tensor.js';

interface LseAttrs {
  readonly axes: readonly number[];
}
interface SoftmaxAttrs {
  readonly axis: number;
}

/**
 * Finds logsumexp nodes whose softmax is also computed, and moves each such softmax right
 * before its logsumexp in `computed` (a topological order; the softmax reads only x, which the
 * logsumexp reads too, so the order stays valid). Returns logsumexp id → its softmax node.
 */
export function shareSoftmax(computed: Tensor[], inputsOf: (t: Tensor) => Tensor[]): Map<number, Tensor> {
  const softmaxOf = new Map<string, Tensor>();
  for (const node of computed) {
    if (node.prim?.name !== 'softmax') continue;
    const { axis } = node.attrs as SoftmaxAttrs;
    const x = inputsOf(node)[0]!;
    if (axis !== x.shape.length - 1 || x.shape[axis]! < 1) continue;
    softmaxOf.set(`${x.id}|${axis}`, node);
  }
  const pairs = new Map<number, Tensor>();
  if (softmaxOf.size === 0) return pairs;
  for (const node of [...computed]) {
    if (node.prim?.name !== 'logsumexp') continue;
    const { axes } = node.attrs as LseAttrs;
    if (axes.length !== 1) continue;
    const x = inputsOf(node)[0]!;
    const s = softmaxOf.get(`${x.id}|${axes[0]}`);
    if (s === undefined) continue;
    pairs.set(node.id, s);
    const at = computed.indexOf(s);
    const lse = computed.indexOf(node);
    if (at > lse) {
      computed.splice(at, 1);
      computed.splice(lse, 0, s);
    }
  }
  return pairs;
}

/**
 * logsumexp over the last axis of `shape` from x and its softmax s: per row, the max x* of x and
 * the max s* of s, which sits at the same element and equals 1/sum exp(x - x*) (exp(0) = 1 times
 * the kernels' 1/sum), so logsumexp = x* - log s*. Both rows are read in order (reading s only at
 * the argmax instead costs a cache miss per row: 4x slower). A row whose max is ±inf gives it, a
 * NaN gives NaN, as the logsumexp kernel does.
 */
export function lseFromSoftmaxKernel(shape: Shape): Kernel {
  const n = shape[shape.length - 1]!;
  const rows = sizeOf(shape) / n;
  return (inputs, out) => {
    const x = inputs[0]!;
    const s = inputs[1]!;
    for (let o = 0, base = 0; o < rows; o++, base += n) {
      const end = base + n;
      let m = -Infinity;
      let top = 0;
      for (let i = base; i < end; i++) {
        const v = x[i]!;
        const p = s[i]!;
        m = v > m || v !== v ? v : m;
        top = p > top ? p : top;
      }
      out[o] = m === Infinity || m === -Infinity || m !== m ? m : m - Math.log(top);
    }
  };
}
