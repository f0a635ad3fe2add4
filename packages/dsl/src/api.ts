// The public API shared by the Node and browser entries: everything but which host compiles by default.
export * from './ast.js';
export {
  type Diagnostic, Reporter, LineMap, formatDiagnostic, formatDiagnostics, nearestName, didYouMean, editDistance,
} from './diagnostics.js';
export { parse, descentGrammar, LONG_SUM_TERMS, MAX_SOURCE_LENGTH, type ParseOptions, type ParseResult } from './parse.js';
export { layout, MAX_NESTING } from './layout.js';
export { STATEMENT_KEYWORDS } from './syntax-errors.js';
export { CompileError, compileWith, MAX_GRAPH_NODES, type CompileOptions, type CompileResult } from './compile.js';
export type { DataValue, DataValues } from './data.js';
export { filesHost, noFileHost, type DslHost } from './host.js';
export { readTensorChunks, type LoadOptions, type LoadResult } from './load.js';
export { Program, type MetricInfo, type MetricValues, type ParamInfo } from './program.js';
export type { CurvatureMethod, CurvatureReport } from './curvature.js';
export { OPTIMIZER_DEFAULTS } from './optimizer-defaults.js';
export { MAX_LOAD_BYTES } from './limits.js';
export type { ClaimSetting, ClaimTerm, ExpectMode, OptimizerSetting, Settings } from './lowered.js';
export { gaussHermite, hermiteGrid } from './quadrature.js';
export { gradientCheck, GRAD_TOLERANCE, type GradCheck } from './gradient-check.js';
