// Public API of @descent/dsl on Node: the parser, diagnostics, and compiling with `load` reading the local disk.
import { compileOrThrow, compileWith, type CompileOptions, type CompileResult } from './compile.js';
import { nodeHost } from './host-node.js';
import type { Program } from './program.js';

export * from './api.js';
export { defaultMemoryBudget, nodeHost } from './host-node.js';

/**
 * Compiles `.loss` source text into a runnable program, or returns every error found, each with
 * file, line and column. Never throws for any input text. `load` reads files under the folder of
 * `options.file` unless `options.host` says otherwise.
 */
export function compileSource(source: string, options: CompileOptions = {}): CompileResult {
  return compileWith(nodeHost, source, options);
}

/**
 * Compiles `.loss` source into a program, or throws a CompileError listing every error.
 * @example
 *   const program = compile('param w[2] ~ normal(0, 1)\nlet X[3, 2] = load("x.csv")\nloss = sum((X @ w)^2)', { data: { X } });
 *   const [loss, grads] = program.valueAndGrad();   // grads.w
 */
export function compile(source: string, options: CompileOptions = {}): Program {
  return compileOrThrow(nodeHost, source, options);
}

export { BatchedProgram, batchObstacle, NotBatchableError, type BatchMode } from './batched-program.js';
export { compileSeeds, seedCompiler } from './seed-programs.js';
