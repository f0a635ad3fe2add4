// @descent/autodiff: reverse-mode automatic differentiation over Float64Array tensors.
export { allocate, allocationCount } from './alloc.js';
export { compileTree, type CompiledTree } from './compile-tree.js';
export { formatTensor, type PrintOptions } from './format.js';
export { backward } from './engine.js';
export { forwardDerivative } from './forward.js';
export * from './ops.js';
export {
  compile, jit, kernelTimings, Plan, planOf, resetKernelTimings, setKernelTiming, type KernelTiming, type PlanSchedule, type PlanStats,
  type ScheduledKernel,
} from './plan.js';
export { NotStackableError, StackedPlan, type StackedInput } from './whole-step/stacked-plan.js';
export { compileGraph, OPTIONAL_PASSES, PIPELINE, type OptionalPass, type Pass, type PlanOptions } from './pipeline.js';
export { formatGraph, graphNode, graphOf, isConstant, topoSort, type Graph, type Step } from './graph.js';
export { definePrimitive, type CheckCase, type CheckSpec, type Domain, type Kernel, type Primitive } from './primitive.js';
export { allPrimitives, primitiveFamilies } from './primitives/index.js';
export { defineVjp, vjpOf } from './derivatives/index.js';
export type { VjpRule } from './derivative.js';
export { Random, rand, randn, type RandomState } from './random.js';
export { BULK_GENERATOR, BulkRandom, categoriesFromUniforms, type BulkRandomState } from './random/bulk.js';
export { broadcastShapes, formatShape, sameShape, ShapeError, sizeOf, type Shape } from './shape.js';
export {
  apply, constant, DEFERRED_CONSTANT_ELEMENTS, full, NodeBudgetError, ones, placeholder, scalar, Tensor, tensor, toTensor,
  withNodeBudget, withSharedNodes,
  withDeferredConstants, withTrace, currentTrace, EAGER, zeros,
  type NestedArray, type TensorLike, type Trace,
} from './tensor.js';
export { grad, grads, hvp, jvp, valueAndGrad, vjp, type ArgIndex, type Argnum, type GradOptions, type Inputs } from './transforms.js';
export { batchGraph, MissingBatchRuleError, vmap, type BatchGraphOptions, type InAxes, type VmapOptions } from './vmap.js';
export { batchRuleOf, defineBatchRule, type BatchedValue, type BatchRule } from './batching.js';
export { flattenTree, type FlatTree, type InputTree, type TensorTree, type TreeLike } from './tree.js';
export { estimatePlanBytes, formatBytes, type MemoryEstimate } from './memory.js';
export { kernelBackend, kernelBackends, setKernelBackend, type Backend, type KernelOp } from './kernels/registry.js';
export { nativeStatus, type NativeStatus } from './kernels/native.js';
export { codegenAvailable, kernelMode, setKernelMode } from './kernels/codegen.js';
export {
  denseHessian, DENSE_HESSIAN_LIMIT, hessianEigs, hessianTrace, symmetricEigenvalues,
  type CurvatureOptions, type HessianEigs, type HessianTrace, type HessianVectorProduct,
} from './curvature.js';
