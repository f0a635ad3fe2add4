// @descent/autodiff: reverse-mode automatic differentiation over Float64Array tensors.
export { allocate, allocationCount } from './alloc.js';
export { formatTensor, type PrintOptions } from './format.js';
export { backward } from './engine.js';
export { forwardDerivative } from './forward.js';
export * from './ops.js';
export {
  compile, jit, kernelTimings, Plan, planOf, resetKernelTimings, setKernelTiming, type KernelTiming, type PlanOptions, type PlanStats,
} from './plan.js';
export { definePrimitive, type CheckCase, type CheckSpec, type Domain, type Kernel, type Primitive } from './primitive.js';
export { allPrimitives, primitiveFamilies } from './primitives/index.js';
export { Random, rand, randn, type RandomState } from './random.js';
export { broadcastShapes, formatShape, sameShape, ShapeError, sizeOf, type Shape } from './shape.js';
export {
  apply, constant, DEFERRED_CONSTANT_ELEMENTS, full, NodeBudgetError, ones, placeholder, scalar, Tensor, tensor, toTensor,
  withNodeBudget, withSharedNodes,
  withDeferredConstants, zeros,
  type NestedArray, type TensorLike,
} from './tensor.js';
export { grad, grads, hvp, jvp, valueAndGrad, vjp, type ArgIndex, type Argnum, type GradOptions, type Inputs } from './transforms.js';
export { flattenTree, type FlatTree, type InputTree, type TensorTree, type TreeLike } from './tree.js';
export { estimatePlanBytes, formatBytes, type MemoryEstimate } from './memory.js';
export { matmulBackend, setMatmulBackend, type MatmulBackend } from './kernels/matmul.js';
export { wasmGemmAvailable, wasmGemmMemory } from './kernels/matmul-wasm.js';
export { nativeGemmAvailable } from './kernels/matmul-native.js';
export { nativeStatus, type NativeStatus } from './kernels/native.js';
export { wasmExpAvailable } from './kernels/exp-wasm.js';
export { expBackend, setExpBackend, type ExpBackend } from './kernels/rows.js';
export {
  denseHessian, DENSE_HESSIAN_LIMIT, hessianEigs, hessianTrace, symmetricEigenvalues,
  type CurvatureOptions, type HessianEigs, type HessianTrace, type HessianVectorProduct,
} from './curvature.js';
