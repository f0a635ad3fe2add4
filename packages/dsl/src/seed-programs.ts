// One program per seed from one parse and check of the source (what a batched sweep compiles).
import { withNodeBudget } from '@descent/autodiff';
import { check } from './check.js';
import { checkData } from './data.js';
import { Reporter } from './diagnostics.js';
import { MAX_GRAPH_NODES, type CompileOptions } from './compile.js';
import { nodeHost } from './host-node.js';
import { lowerProgram } from './lower/statements.js';
import { parse } from './parse.js';
import { Program } from './program.js';

/**
 * The program of `source` for each seed of `seeds`, each the same as `compileSource(source,
 * { ...options, seed })` gives (lowered from the seed's own random streams), with the parse and
 * the checks made once and each program's own plans compiled only if it is run alone. Returns
 * undefined where the source does not compile: compileSource then reports why.
 */
export function compileSeeds(source: string, options: Omit<CompileOptions, 'seed'>, seeds: readonly number[]): Program[] | undefined {
  const lower = seedCompiler(source, options);
  if (lower === undefined) return undefined;
  const programs: Program[] = [];
  for (const seed of seeds) {
    const program = lower(seed);
    if (program === undefined) return undefined;
    programs.push(program);
  }
  return programs;
}

/**
 * `source` parsed and checked once, as a function lowering it for one seed at a time (what
 * compileSeeds calls per seed), or undefined where the source does not parse or check.
 */
export function seedCompiler(source: string, options: Omit<CompileOptions, 'seed'>): ((seed: number) => Program | undefined) | undefined {
  const file = options.file ?? '<input>';
  const parsed = parse(source, file);
  if (!parsed.ok) return undefined;
  const reporter = new Reporter(source, file);
  const overrides: Record<string, number> = Object.assign(Object.create(null) as Record<string, number>, options.overrides ?? {});
  const bound = check(parsed.program, reporter, { overrides });
  const data = checkData(parsed.program, options.data ?? {}, reporter);
  if (!reporter.ok) return undefined;
  const host = options.host ?? nodeHost;
  const budget = options.maxMemoryBytes ?? host.defaultMemoryBytes();
  const cut = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  const baseDir = cut < 0 ? '.' : cut === 0 ? file.slice(0, 1) : file.slice(0, cut);
  return (seed) => withNodeBudget(options.maxGraphNodes ?? MAX_GRAPH_NODES, () => {
    const lowered = lowerProgram(bound, reporter, { ...options, seed, overrides, data, baseDir, maxMemoryBytes: budget, load: host.load });
    return lowered === undefined ? undefined : new Program(lowered, lowered.settings.seed, budget, options.curvatureMethod, true, options.wholeStep);
  });
}
