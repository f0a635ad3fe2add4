// Generated loops for elementwise primitives: flat when shapes agree, strided under broadcasting.
import type { Kernel } from '../primitive.js';
import { broadcastStrides, sameShape, sizeOf, type Shape } from '../shape.js';
import { scalarLib } from './scalar-lib.js';

/** Builds (once per expression) a function `(strides...) => Kernel`; arguments are named a0, a1, ... */
type KernelFactory = (shape: Shape, strides: readonly (readonly number[])[]) => Kernel;

const flatCache = new Map<string, Kernel>();
const stridedCache = new Map<string, KernelFactory>();

function argNames(arity: number): string[] {
  return Array.from({ length: arity }, (_, i) => `a${i}`);
}

/** `out[i] = expr(in0[i], in1[i], ...)` over equal shapes. The expression is the compiler's own. */
function flatKernel(expr: string, arity: number): Kernel {
  const key = `${arity}|${expr}`;
  let k = flatCache.get(key);
  if (!k) {
    const loads = argNames(arity)
      .map((a, i) => `const ${a} = x${i}[i];`)
      .join(' ');
    const inputs = argNames(arity)
      .map((_, i) => `const x${i} = inputs[${i}];`)
      .join(' ');
    const src = `return function elementwise(inputs, out) { ${inputs} const n = out.length; for (let i = 0; i < n; i++) { ${loads} out[i] = ${expr}; } };`;
    k = new Function('lib', src)(scalarLib) as Kernel;
    flatCache.set(key, k);
  }
  return k;
}

/** Same, with inputs read through broadcast strides; the innermost axis is a tight loop. */
function stridedFactory(expr: string, arity: number): KernelFactory {
  const key = `${arity}|${expr}`;
  let f = stridedCache.get(key);
  if (!f) {
    const names = argNames(arity);
    const src = `return function make(shape, strides) {
      const rank = shape.length, inner = shape[rank - 1], outer = out_size(shape) / inner;
      const idx = new Int32Array(rank);
      ${names.map((_, i) => `const s${i} = strides[${i}], is${i} = s${i}[rank - 1];`).join(' ')}
      return function elementwiseStrided(inputs, out) {
        ${names.map((_, i) => `const x${i} = inputs[${i}];`).join(' ')}
        idx.fill(0);
        ${names.map((_, i) => `let o${i} = 0;`).join(' ')}
        let p = 0;
        for (let r = 0; r < outer; r++) {
          ${names.map((_, i) => `let j${i} = o${i};`).join(' ')}
          for (let i = 0; i < inner; i++) {
            ${names.map((a, i) => `const ${a} = x${i}[j${i}]; j${i} += is${i};`).join(' ')}
            out[p++] = ${expr};
          }
          for (let ax = rank - 2; ax >= 0; ax--) {
            idx[ax]++;
            ${names.map((_, i) => `o${i} += s${i}[ax];`).join(' ')}
            if (idx[ax] < shape[ax]) break;
            ${names.map((_, i) => `o${i} -= s${i}[ax] * shape[ax];`).join(' ')}
            idx[ax] = 0;
          }
        }
      };
    };`;
    const outSize = (shape: Shape): number => sizeOf(shape);
    f = new Function('lib', 'out_size', src)(scalarLib, outSize) as KernelFactory;
    stridedCache.set(key, f);
  }
  return f;
}

/**
 * A kernel computing `expr` (over variables a0..a{k-1}) elementwise with numpy broadcasting of
 * the inputs to `out`.
 */
export function elementwiseKernel(expr: string, inputs: readonly Shape[], out: Shape): Kernel {
  if (inputs.every((s) => sameShape(s, out))) return flatKernel(expr, inputs.length);
  if (sizeOf(out) === 0) return () => {};
  const shape = out.length === 0 ? [1] : out;
  const strides = inputs.map((s) => broadcastStrides(s, shape));
  return stridedFactory(expr, inputs.length)(shape, strides);
}
