// Softmax over the rows of affine logits z = A·B + bias in one kernel call: the logits, the exps,
// each row's sum and scale, optionally each row times a weight, each row's logsumexp, and the sums
// over rows of the output g that a gradient reads (Σ_r g[r, j] and gᵀ·A), natively
// (native/softmax-affine.c) where the native softmax is selected, else by the JS loops below (the
// logits, then the selected softmax kernel in place). The plan pass that builds it: optimize/softmax-affine.ts.
import { kernelBackend, selectedKernel } from './registry.js';
import { nativeKernels } from './native.js';
import { softmaxRowsJs } from './softmax.js';

/** The most weights (n·k) B may have: the native kernel keeps B transposed on its stack. */
export const AFFINE_MAX_WEIGHTS = 4096;

/** The sizes of one affine softmax: rows of A and of the output, n columns (rows of B when transB), k the inner size. */
export interface AffineDims {
  readonly rows: number;
  readonly n: number;
  readonly k: number;
  /** B stored [n, k] (A·Bᵀ) when set, [k, n] otherwise. */
  readonly transB: boolean;
}

/** The optional outputs besides the softmax: each row's logsumexp [rows], and of the softmax g, Σ_r g[r, j] [n] and gᵀ·A [n, k]. */
export interface AffineOutputs {
  readonly lse?: Float64Array;
  readonly colsum?: Float64Array;
  readonly gta?: Float64Array;
}

/**
 * out = softmax over rows of (A·B + bias), times scale[r] on row r when scale is given, and the
 * outputs asked for. In JS: the product summed as the reference matmul sums it (0, then p = 0,
 * 1, ...), the bias added, then the selected softmax kernel (or the JS loop) in place, then the
 * scale, as the unfused plan rounds them; the sums over rows in row order, as the reference loops.
 */
export function softmaxAffineJs(
  a: Float64Array, b: Float64Array, bias: Float64Array, scale: Float64Array | undefined, dims: AffineDims, out: Float64Array, outputs: AffineOutputs = {},
): void {
  const { lse, colsum, gta } = outputs;
  const { rows, n, k, transB } = dims;
  const sBp = transB ? 1 : n;
  const sBj = transB ? k : 1;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[r * k + p]! * b[p * sBp + j * sBj]!;
      out[r * n + j] = s + bias[j]!;
    }
  }
  if (!selectedKernel('softmax')(out, out, rows, n, lse, false)) softmaxRowsJs(out, out, rows, n, lse, false);
  if (scale !== undefined) {
    for (let r = 0; r < rows; r++) {
      const w = scale[r]!;
      for (let j = r * n; j < (r + 1) * n; j++) out[j] = out[j]! * w;
    }
  }
  if (colsum !== undefined) {
    colsum.fill(0, 0, n);
    for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) colsum[j]! += out[r * n + j]!;
  }
  if (gta !== undefined) {
    gta.fill(0, 0, n * k);
    for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) gta[j * k + p]! += out[r * n + j]! * a[r * k + p]!;
  }
}

/** What an AffineSoftmaxKernel computes besides the softmax. */
export interface AffineOptions {
  /** Each output row r times scale[r] (copied in). */
  readonly scale?: Float64Array;
  readonly lse?: boolean;
  readonly colsum?: boolean;
  readonly gta?: boolean;
}

const TRANS_B = 1;
const SCALE = 2;
const LSE = 4;
const COLSUM = 8;
const GTA = 16;

/**
 * The affine softmax of fixed sizes. Its small arrays live in one buffer, [bias n | scale rows |
 * lse rows | colsum n | gta n·k], so that a native call passes four arrays, not eight (each one
 * costs the call about 60 ns, a fifth of the kernel at [400, 5]): write `bias` before each run,
 * read `lse`, `colsum` and `gta` after. Runs natively where the native softmax is selected (read at
 * every run, so a switch of backend applies between runs of a plan), else by softmaxAffineJs.
 */
export class AffineSoftmaxKernel {
  readonly bias: Float64Array;
  readonly lse: Float64Array | undefined;
  readonly colsum: Float64Array | undefined;
  readonly gta: Float64Array | undefined;
  private readonly scale: Float64Array | undefined;
  private readonly pack: Float64Array;
  private readonly flags: number;
  private readonly outputs: AffineOutputs;

  constructor(readonly dims: AffineDims, options: AffineOptions = {}) {
    const { rows, n, k, transB } = dims;
    if (options.scale !== undefined && options.scale.length !== rows) throw new RangeError(`AffineSoftmaxKernel: scale has ${options.scale.length} values for ${rows} rows`);
    this.pack = new Float64Array(2 * n + 2 * rows + n * k);
    let at = 0;
    const part = (size: number): Float64Array => this.pack.subarray(at, (at += size));
    this.bias = part(n);
    const scale = part(rows);
    const lse = part(rows);
    const colsum = part(n);
    const gta = part(n * k);
    if (options.scale !== undefined) scale.set(options.scale);
    this.scale = options.scale === undefined ? undefined : scale;
    this.lse = options.lse === true ? lse : undefined;
    this.colsum = options.colsum === true ? colsum : undefined;
    this.gta = options.gta === true ? gta : undefined;
    this.flags = (transB ? TRANS_B : 0) | (this.scale ? SCALE : 0) | (this.lse ? LSE : 0) | (this.colsum ? COLSUM : 0) | (this.gta ? GTA : 0);
    this.outputs = { ...(this.lse ? { lse } : {}), ...(this.colsum ? { colsum } : {}), ...(this.gta ? { gta } : {}) };
  }

  /** out = the softmax of the rows of A·B + bias (times the scale), and the outputs asked for. */
  run(a: Float64Array, b: Float64Array, out: Float64Array): void {
    const native = nativeKernels?.softmaxAffine;
    const { rows, n, k } = this.dims;
    if (native !== undefined && kernelBackend('softmax') === 'native' && n * k <= AFFINE_MAX_WEIGHTS) native(a, b, out, this.pack, rows, n, k, this.flags);
    else softmaxAffineJs(a, b, this.bias, this.scale, this.dims, out, this.outputs);
  }
}
