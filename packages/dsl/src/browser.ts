// Public API of @descent/dsl in a browser (or any JS without Node): no file access unless a host is given.
import { compileOrThrow, compileWith, type CompileOptions, type CompileResult } from './compile.js';
import { noFileHost } from './host.js';
import type { Program } from './program.js';

export * from './api.js';

/**
 * Compiles `.loss` source text into a runnable program, or returns every error found. `load("f")`
 * takes its values from `options.data` (by the let's name) or reads through `options.host`
 * (`filesHost({ 'f.csv': text })`); with neither it is an error naming both.
 */
export function compileSource(source: string, options: CompileOptions = {}): CompileResult {
  return compileWith(noFileHost, source, options);
}

/** Compiles `.loss` source into a program, or throws a CompileError listing every error. */
export function compile(source: string, options: CompileOptions = {}): Program {
  return compileOrThrow(noFileHost, source, options);
}
