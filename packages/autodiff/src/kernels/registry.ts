// The kernel registry: for each operation with several implementations, its kernel on each backend
// (native addon, WebAssembly SIMD, plain JS), and the one selected. The selection is made once, at
// load (the first available of native, wasm, js), and changes only through setKernelBackend.
import { gemmPacked } from './matmul-js.js';
import { gemmNative, nativeGemmAvailable } from './matmul-native.js';
import { gemmWasm, wasmGemmAvailable } from './matmul-wasm.js';
import type { Gemm } from './matmul.js';
import { nativeKernels } from './native.js';
import { fastAcos } from './fast-acos.js';
import { logsumexpRowsWasm, softmaxRowsWasm, wasmExpAvailable } from './exp-wasm.js';
import { fillNormalJs, fillUniformJs } from '../random/bulk-js.js';
import { fillNormalNative, fillUniformNative, type BulkFill } from '../random/bulk-native.js';
import { fillNormalWasm, fillUniformWasm, wasmRandomAvailable } from '../random/bulk-wasm.js';
import { residualSumsJs, type ResidualSums } from './residual.js';

export type Backend = 'native' | 'wasm' | 'js';

/** What an arcClamped call computes (native/native.h DESCENT_ARC_*). */
export const ARC_SLOPE = 0;
export const ARC_VALUE = 1;
export const ARC_SLOPE_MASKED = 2;
export const ARC_VALUE_FROM_MASKED = 3;
export type ArcMode = typeof ARC_SLOPE | typeof ARC_VALUE | typeof ARC_SLOPE_MASKED | typeof ARC_VALUE_FROM_MASKED;

/**
 * The signature of each operation's kernel. The row kernels return false when the caller's JS loop
 * must do the work (the 'js' backend, or rows too long for the WebAssembly blocks).
 */
export interface KernelSignatures {
  /** C = op(A)·op(B); `samePanel`: B is the previous call's B, so a kernel that packs it may reuse the packing. */
  readonly matmul: (g: Gemm, a: Float64Array, aOff: number, b: Float64Array, bOff: number, c: Float64Array, cOff: number, samePanel: boolean) => void;
  /**
   * Softmax of `rows` rows of n values (x to out, which may be the same array; each row's
   * logsumexp into lse when given; rows of -inf give 0s with `emptyAsZero`, NaN otherwise).
   */
  readonly softmax: (x: Float64Array, out: Float64Array, rows: number, n: number, lse: Float64Array | undefined, emptyAsZero: boolean) => boolean;
  /** out[o] = logsumexp of row o. */
  readonly logsumexp: (x: Float64Array, out: Float64Array, rows: number, n: number) => boolean;
  /**
   * For c = min(max(x[i], -1), 1), i < count, by `mode`: out[i] = π − acos c (ARC_SLOPE, the
   * arc-cosine kernel's slope), sqrt(1 − c·c) + (π − acos c)·c (ARC_VALUE, its value), the slope
   * where x[i] >= -1 and max(x[i], -1) <= 1 and 0 elsewhere (ARC_SLOPE_MASKED: times the clamp's
   * derivative), or the value with the slope read from `maskedSlope` where it is not masked
   * (ARC_VALUE_FROM_MASKED; `maskedSlope` is null in the other modes); the same bits on every
   * backend, and as the generated clamp, arcSlope, mask and value loops of the arc-slope pass.
   */
  readonly arcClamped: (x: Float64Array, out: Float64Array, count: number, mode: ArcMode, maskedSlope: Float64Array | null) => void;
  /** Standard normals from the bulk generator's state (random/bulk-js.ts): the same bits on every backend. */
  readonly randomNormal: BulkFill;
  /** Uniforms in [0, 1) from the bulk generator's state: the same bits on every backend. */
  readonly randomUniform: BulkFill;
  /** Sums of a residual t = m[j] - x[i, j] and of t², by row and by column, in one pass (kernels/residual.ts). */
  readonly residualSums: ResidualSums;
}

export type KernelOp = keyof KernelSignatures;

const byJsLoop = (): boolean => false;
const native = nativeKernels;

/** Every operation's kernels, by backend; a backend missing here (not built, not loadable) cannot be selected. */
const kernels: { readonly [K in KernelOp]: Readonly<Partial<Record<Backend, KernelSignatures[K]>>> } = {
  matmul: {
    ...(nativeGemmAvailable ? { native: gemmNative } : {}),
    ...(wasmGemmAvailable ? { wasm: gemmWasm } : {}),
    js: gemmPacked,
  },
  softmax: {
    ...(native !== null ? { native: (x, out, rows, n, lse, emptyAsZero) => (native.softmax(x, out, rows, n, lse ?? null, emptyAsZero), true) } : {}),
    ...(wasmExpAvailable ? { wasm: softmaxRowsWasm } : {}),
    js: byJsLoop,
  },
  logsumexp: {
    ...(native !== null ? { native: (x, out, rows, n) => (native.logsumexp(x, out, rows, n), true) } : {}),
    ...(wasmExpAvailable ? { wasm: logsumexpRowsWasm } : {}),
    js: byJsLoop,
  },
  arcClamped: {
    ...(native?.arcClamped !== undefined ? { native: native.arcClamped } : {}),
    js: arcClampedJs,
  },
  randomNormal: {
    ...(fillNormalNative !== null ? { native: fillNormalNative } : {}),
    ...(wasmRandomAvailable ? { wasm: fillNormalWasm } : {}),
    js: fillNormalJs,
  },
  randomUniform: {
    ...(fillUniformNative !== null ? { native: fillUniformNative } : {}),
    ...(wasmRandomAvailable ? { wasm: fillUniformWasm } : {}),
    js: fillUniformJs,
  },
  residualSums: {
    ...(native?.residualSums !== undefined ? { native: native.residualSums } : {}),
    js: residualSumsJs,
  },
};

/**
 * The JS loop of arcClamped: the expressions of the generated maximum, minimum, arcSlope, mask
 * (ge, le) and value loops.
 */
function arcClampedJs(x: Float64Array, out: Float64Array, count: number, mode: ArcMode, maskedSlope: Float64Array | null): void {
  if (mode === ARC_VALUE_FROM_MASKED && maskedSlope === null) throw new Error('arcClamped: the value from the masked slope needs the masked slope');
  for (let i = 0; i < count; i++) {
    const v = x[i]!;
    const m = v >= -1 ? v : -1;
    const c = m <= 1 ? m : 1;
    const inside = v >= -1 && m <= 1;
    if (mode === ARC_VALUE_FROM_MASKED) {
      // outside [-1, 1] c is ±1, whose slope is exactly π (c = 1) or 0 (c = -1, NaN)
      const s = inside ? maskedSlope![i]! : c > 0 ? Math.PI : 0;
      out[i] = Math.sqrt(1 - c * c) + s * c;
      continue;
    }
    const s = Math.PI - fastAcos(c);
    out[i] = mode === ARC_VALUE ? Math.sqrt(1 - c * c) + s * c : mode === ARC_SLOPE_MASKED ? (inside ? s : 0) : s;
  }
}

const preference: readonly Backend[] = ['native', 'wasm', 'js'];

function firstAvailable(op: KernelOp): Backend {
  return preference.find((b) => kernels[op][b] !== undefined)!;
}

const backends: Record<KernelOp, Backend> = {
  matmul: firstAvailable('matmul'), softmax: firstAvailable('softmax'), logsumexp: firstAvailable('logsumexp'),
  randomNormal: firstAvailable('randomNormal'), randomUniform: firstAvailable('randomUniform'),
  residualSums: firstAvailable('residualSums'), arcClamped: firstAvailable('arcClamped'),
};
const selected: { -readonly [K in KernelOp]: KernelSignatures[K] } = {
  matmul: kernels.matmul[backends.matmul]!,
  softmax: kernels.softmax[backends.softmax]!,
  logsumexp: kernels.logsumexp[backends.logsumexp]!,
  arcClamped: kernels.arcClamped[backends.arcClamped]!,
  randomNormal: kernels.randomNormal[backends.randomNormal]!,
  randomUniform: kernels.randomUniform[backends.randomUniform]!,
  residualSums: kernels.residualSums[backends.residualSums]!,
};

/** The selected kernel of `op` (callers read it at every run, so a switch applies between runs of a plan). */
export function selectedKernel<K extends KernelOp>(op: K): KernelSignatures[K] {
  return selected[op];
}

/** The backend whose kernel `op` uses. */
export function kernelBackend(op: KernelOp): Backend {
  return backends[op];
}

/** The backends `op` can use here, fastest first. */
export function kernelBackends(op: KernelOp): Backend[] {
  return preference.filter((b) => kernels[op][b] !== undefined);
}

/** Selects `op`'s kernel; a backend not available here throws, naming the operation. */
export function setKernelBackend(op: KernelOp, backend: Backend): void {
  const kernel = kernels[op][backend];
  if (kernel === undefined) throw new Error(`the ${backend} ${op} kernel is not available here`);
  backends[op] = backend;
  (selected as Record<KernelOp, unknown>)[op] = kernel;
}
