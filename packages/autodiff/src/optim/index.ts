// @descent/autodiff/optim: gd, momentum, Adam and gradient flow over named parameters or flat Float64Arrays.
export { createFlat as createOptimizer } from './create.js';
export { adam, flow, gd, momentum, optimizer, type TreeOptimizer } from './named.js';
export { decodeF64, encodeF64 } from './serial.js';
export {
  FLOW_TOLERANCES, isOptimizerKind, OPTIMIZER_KINDS, optimizerList, OPTIMIZERS, optimizerSpec, requireArg,
  type OptimizerArg, type OptimizerEntry,
} from './table.js';
export { OptimizerError, type GradientFn, type Optimizer, type OptimizerKind, type OptimizerSpec, type OptimizerState } from './types.js';
