// What a generated kernel computes, kept beside the kernel so that whole-step code (whole-step/) can inline its loops.
import type { Kernel } from '../primitive.js';
import type { Shape } from '../shape.js';
import type { Gemm } from './matmul.js';
import type { Fold, FusedRead } from './reduce.js';

/** An elementwise loop (kernels/elementwise.ts fusedKernel): `body` then `out = result`, inputs broadcast to `out`. */
export interface ElementwiseSpec {
  readonly kind: 'elementwise';
  readonly body: string;
  readonly result: string;
  readonly inputs: readonly Shape[];
  readonly out: Shape;
}

/** A reduction (kernels/reduce.ts): `fold` over `axes` of `shape`, each element read plainly or computed by `read`. */
export interface ReduceSpec {
  readonly kind: 'reduce';
  readonly fold: Fold;
  readonly shape: Shape;
  readonly axes: readonly number[];
  readonly read?: FusedRead;
}

/** A batched matrix product (kernels/matmul.ts batchedGemm): one product per batch index at these offsets. */
export interface MatmulSpec {
  readonly kind: 'matmul';
  readonly gemm: Gemm;
  readonly aOffsets: Int32Array;
  readonly bOffsets: Int32Array;
}

export type KernelSpec = ElementwiseSpec | ReduceSpec | MatmulSpec;

/** Kernel -> what it computes; a weak map, so a plan's kernels and their specs go together. */
const specs = new WeakMap<Kernel, KernelSpec>();

/** Records what `kernel` computes and returns it (the kernel's own arithmetic must be exactly the spec's). */
export function describeKernel(kernel: Kernel, spec: KernelSpec): Kernel {
  specs.set(kernel, spec);
  return kernel;
}

/** What `kernel` computes, when its generator recorded it; undefined for kernels only callable as they are. */
export function kernelSpec(kernel: Kernel): KernelSpec | undefined {
  return specs.get(kernel);
}
