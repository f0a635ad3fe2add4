// The public ops, one module per family; primitives and derivative rules import them from here.
export * from './ops/elementwise.js';
export * from './ops/reduce.js';
export * from './ops/movement.js';
export * from './ops/softmax.js';
export * from './ops/gradient.js';
export * from './ops/linalg.js';
export * from './ops/special.js';
