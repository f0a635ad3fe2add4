// The optional native kernels: a Node-API addon (native/*.c) that scripts/build-native.mjs compiles
// for this machine's vector instructions. Loaded where it was built and the CPU can run it;
// DESCENT_NATIVE=0 in the environment turns it off. Elsewhere the WebAssembly and JS kernels run.

/** The addon's kernels (native/addon.c checks every argument and throws on a bad call). */
export interface NativeKernels {
  /** C = op(A)·op(B); flags: 1 transA, 2 transB, 4 accumulate. */
  gemm(m: number, n: number, k: number, flags: number, a: Float64Array, aOff: number, b: Float64Array, bOff: number, c: Float64Array, cOff: number): void;
  /**
   * Softmax of `rows` rows of n values, x to out (may be the same array); each row's logsumexp
   * into lse when given; rows of -inf give 0s with emptyAsZero (NaN otherwise).
   */
  softmax(x: Float64Array, out: Float64Array, rows: number, n: number, lse: Float64Array | null, emptyAsZero: boolean): void;
  /**
   * Softmax over the rows of the logits A·B + bias (A [rows, k]; B [n, k] with flags & 1, else
   * [k, n]; n·k <= 4096), the small arrays in pack = [bias n | scale rows | lse rows | colsum n |
   * gta n·k]: each row r times scale[r] (flags & 2), each row's logsumexp into lse (flags & 4), of
   * the output g, colsum[j] = Σ_r g[r, j] (flags & 8) and gta = gᵀ·A (flags & 16)
   * (native/softmax-affine.c; kernels/softmax-affine.ts's AffineSoftmaxKernel calls it).
   */
  softmaxAffine?(a: Float64Array, b: Float64Array, out: Float64Array, pack: Float64Array, rows: number, n: number, k: number, flags: number): void;
  /** out[r] = logsumexp of row r. */
  logsumexp(x: Float64Array, out: Float64Array, rows: number, n: number): void;
  /**
   * For c = min(max(x[i], -1), 1), i < count, by `mode` (ArcMode, kernels/registry.ts): out[i] =
   * π − acos c, or sqrt(1 − c·c) + (π − acos c)·c, or the slope masked by the clamp's derivative,
   * or the value read off `maskedSlope` (null in the other modes); bit-identical to the registry's
   * JS loop (native/arc.c).
   */
  arcClamped?(x: Float64Array, out: Float64Array, count: number, mode: number, maskedSlope: Float64Array | null): void;
  /** The sums of t = m[j] - x[i, j] and t² by row and by column, each output scaled (kernels/residual.ts). */
  residualSums?(x: Float64Array, m: Float64Array | null, rows: number, cols: number, rowSq: Float64Array | null,
    rowSum: Float64Array | null, colSq: Float64Array | null, colSum: Float64Array | null, scale: Float64Array): void;
}

/** What the addon exports: the kernels only on a CPU with every instruction set they were compiled for. */
export type NativeAddon = Partial<NativeKernels> & { readonly isa: string; readonly missing?: string };

/** The parts of Node's `process` used here (the package itself runs anywhere JS does). */
interface NodeProcess {
  readonly dlopen?: (module: { exports: unknown }, filename: string) => void;
  readonly env?: Record<string, string | undefined>;
}

/** Whether the native kernels are in use, and if not, why. */
export interface NativeStatus {
  readonly available: boolean;
  /** The vector instructions they were compiled for ('avx512', 'avx', 'generic'), when loaded. */
  readonly isa?: string;
  /** Why they are not in use, when they are not. */
  readonly reason?: string;
}

function load(): { kernels: NativeKernels | null; exports?: NativeAddon; status: NativeStatus } {
  const proc = (globalThis as { process?: NodeProcess }).process;
  const none = (reason: string) => ({ kernels: null, status: { available: false, reason } });
  if (proc?.dlopen === undefined) return none('not running on Node.js');
  if (proc.env?.['DESCENT_NATIVE'] === '0') return none('DESCENT_NATIVE=0');
  // native/build sits two folders above both src/kernels (tests) and dist/kernels (the build)
  const url = new URL('../../native/build/descent_native.node', import.meta.url);
  if (url.protocol !== 'file:') return none('not loaded from a file');
  const module = { exports: {} as NativeAddon };
  try {
    proc.dlopen(module, decodeURIComponent(url.pathname));
  } catch {
    // the build script ships beside native/ (installing the package runs it)
    const script = decodeURIComponent(new URL('../../scripts/build-native.mjs', import.meta.url).pathname);
    return none(`not built (${script} builds it, with a C compiler and Node's headers)`);
  }
  return { ...kernelsOf(module.exports), exports: module.exports };
}

/**
 * The kernels of a loaded addon, or why there are none. Only the kernels used here are required:
 * the addon's other exports (its exp, for tests) may be missing without the addon being refused.
 */
export function kernelsOf(addon: NativeAddon): { kernels: NativeKernels | null; status: NativeStatus } {
  const { isa, missing, gemm, softmax, logsumexp, residualSums, arcClamped, softmaxAffine } = addon;
  if (gemm === undefined || softmax === undefined || logsumexp === undefined) {
    return { kernels: null, status: { available: false, reason: `built for ${isa}, but this CPU lacks ${missing ?? 'an instruction set it needs'}` } };
  }
  return { kernels: { gemm, softmax, logsumexp, ...(residualSums ? { residualSums } : {}), ...(arcClamped ? { arcClamped } : {}), ...(softmaxAffine ? { softmaxAffine } : {}) }, status: { available: true, isa } };
}

const loaded = load();

/** The native kernels, or null where they are not built, not loadable or turned off. */
export const nativeKernels: NativeKernels | null = loaded.kernels;

/** Everything the loaded addon exports, for the tests of its own functions (its exp, which softmax uses inside the C code). */
export const nativeAddon: Readonly<Record<string, unknown>> | null = loaded.exports ?? null;

/** Whether the native kernels loaded, for what instructions, or why not. */
export const nativeStatus: NativeStatus = loaded.status;
