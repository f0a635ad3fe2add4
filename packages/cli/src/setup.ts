// From flags to a runnable setup: the serializable run config, compilation, overrides and the optimizer.
import { compileSource, defaultMemoryBudget, formatDiagnostics, MAX_LOAD_BYTES, OPTIMIZER_DEFAULTS, parse, type CompileResult, type OptimizerSetting, type Program } from '@descent/dsl';
import { resolve } from 'node:path';
import type { Flags } from './args.js';
import { CliError } from './errors.js';
import { fmtExact } from './format.js';
import { resolveModel, type ModelSource } from './model.js';
import { createOptimizer, OptimizerError, OPTIMIZERS, optimizerSpec, type OptimizerSpec } from '@descent/autodiff/optim';
import { nameRecord } from './params-io.js';

type OptimizerName = OptimizerSetting['name'];

/**
 * Everything that decides what a run computes, as plain JSON: stored in run.json, sent to sweep
 * workers, and enough to compile the same program again (a resumed run recompiles from it).
 */
export interface RunConfig {
  /** The model argument as typed, and the file it resolved to. */
  readonly model: string;
  readonly name: string;
  readonly file: string;
  /** `--set` values (one per name). */
  readonly overrides: Readonly<Record<string, number>>;
  readonly seed?: number;
  readonly expect: { readonly samples?: number; readonly fresh?: boolean; readonly quadrature?: number };
  readonly steps?: number;
  readonly log?: number;
  readonly optimizer?: OptimizerName;
  readonly lr?: number;
  readonly maxMemory?: number;
  /** Absolute paths outside the model's folder that load() may read (--allow-read). */
  readonly allowRead?: readonly string[];
}

/** A compiled model with the run's resolved settings. */
export interface Setup {
  readonly config: RunConfig;
  readonly model: ModelSource;
  readonly program: Program;
  /** The optimizer after the file, --optimizer, --lr and --set: name and every argument. */
  readonly optimizer: OptimizerSetting;
  readonly spec: OptimizerSpec;
  /** The scheduled optimizer arguments at a step, when the run's optimizer has schedules of `step`. */
  readonly schedule?: (step: number) => Readonly<Record<string, number>>;
  readonly steps: number;
  readonly logCount: number;
  readonly seed: number;
}

/** Every optimizer argument name any optimizer takes (lr, beta, beta1, beta2, eps, dt). */
const HYPER_NAMES = new Set(Object.values(OPTIMIZER_DEFAULTS).flatMap((args) => args.map(([k]) => k)));

/** What the flags of `descent run`-like commands set in a run config (everything but the model). */
export function configFlags(flags: Flags, command: string): Omit<RunConfig, 'model' | 'name' | 'file'> {
  const overrides = nameRecord<number>();
  for (const s of flags.set) overrides[s.name] = s.values[0]!;
  const expect: { samples?: number; fresh?: boolean; quadrature?: number } = {};
  if (flags.samples !== undefined) expect.samples = flags.samples;
  // --samples N and --fixed/--fresh are independent: each changes only what it names
  if (flags.fresh) expect.fresh = true;
  if (flags.fixed) expect.fresh = false;
  if (flags.quadrature !== undefined) expect.quadrature = flags.quadrature;
  if (expect.quadrature !== undefined && (expect.samples !== undefined || expect.fresh !== undefined)) {
    const other = expect.samples !== undefined ? 'samples' : flags.fresh ? 'fresh' : 'fixed';
    throw new CliError(`descent ${command}: --quadrature computes expectations exactly and cannot be combined with --${other}, which draws Monte Carlo samples.`);
  }
  return {
    overrides,
    expect,
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    ...(flags.steps !== undefined ? { steps: flags.steps } : {}),
    ...(flags.log !== undefined ? { log: flags.log } : {}),
    ...(flags.optimizer !== undefined ? { optimizer: flags.optimizer } : {}),
    ...(flags.lr !== undefined ? { lr: flags.lr } : {}),
    ...(flags.maxMemory !== undefined ? { maxMemory: flags.maxMemory } : {}),
    ...(flags.allowRead !== undefined ? { allowRead: [resolve(flags.allowRead)] } : {}),
  };
}

/** The run config of `descent run`-like flags for one model argument. */
export function configFromFlags(modelArg: string, flags: Flags, command: string): RunConfig {
  const model = resolveModel(modelArg, command);
  return { model: modelArg, name: model.name, file: model.file, ...configFlags(flags, command) };
}

/**
 * A recorded run's config with the flags given now on top (`descent run RUN_DIR --steps 10`):
 * without flags, the same run again.
 */
export function rerunConfig(recorded: RunConfig, flags: Flags, command: string): RunConfig {
  const now = configFlags(flags, command);
  const expect = now.expect.quadrature !== undefined || now.expect.samples !== undefined || now.expect.fresh ? now.expect : recorded.expect;
  return { ...recorded, ...now, overrides: Object.assign(nameRecord<number>(), recorded.overrides, now.overrides), expect };
}

/** Names the file declares as `dim` or `let` (so `--set lr=…` on a file with `let lr` sets the let). */
function declaredNames(source: string, file: string): Set<string> {
  const r = parse(source, file);
  const names = new Set<string>();
  if (!r.ok) return names;
  for (const s of r.program.statements) {
    if (s.kind === 'DimStmt') for (const d of s.decls) names.add(d.name.name);
    if (s.kind === 'LetStmt') names.add(s.decl.name.name);
  }
  return names;
}

/**
 * Compiles the config's model. Compile errors become one CliError (exit 2) with every diagnostic
 * as file:line:col and a caret; bad `--set` overrides alone (the dsl's override check: a name the
 * file does not have, with a suggestion; a dim that is not a positive integer, ...) become one line
 * without a caret. `--set` of an optimizer argument (lr, beta, …) that is not a dim or let of the file
 * is applied to the optimizer, as are --optimizer and --lr.
 */
export function setup(
  config: RunConfig,
  command = 'run',
  model: ModelSource = resolveModel(config.file, command),
  /** How the source is compiled (a batched sweep compiles all its seeds at once and gives the first). */
  compile: typeof compileSource = compileSource,
): Setup {
  const hyper = nameRecord<number>();
  const overrides: Record<string, number> = Object.assign(nameRecord<number>(), config.overrides);
  const hyperAsked = Object.keys(overrides).filter((k) => HYPER_NAMES.has(k));
  if (hyperAsked.length > 0) {
    const declared = declaredNames(model.source, model.compileAs ?? model.file);
    for (const k of hyperAsked) {
      if (declared.has(k)) continue;
      hyper[k] = overrides[k]!;
      delete overrides[k];
    }
  }
  const budget = config.maxMemory ?? defaultMemoryBudget();
  let result: CompileResult;
  try {
    result = compile(model.source, {
      file: model.compileAs ?? model.file,
      overrides,
      ...(config.seed !== undefined ? { seed: config.seed } : {}),
      expect: config.expect,
      maxMemoryBytes: budget,
      // a file to load cannot be larger than the memory the program may take (nor than 1 GiB)
      maxLoadBytes: Math.min(budget, MAX_LOAD_BYTES),
      ...(config.allowRead !== undefined ? { allowRead: config.allowRead } : {}),
    });
  } catch (e) {
    // a --max-memory above what this process can allocate: the guard passed, the allocation failed
    if (e instanceof RangeError && /array length|allocation failed|out of memory/i.test(e.message)) {
      throw new CliError(`descent ${command}: ${model.name} needs more memory than this process can allocate (${e.message}); use smaller sizes, or a --max-memory this machine can honour (the default is half its memory).`);
    }
    throw e;
  }
  if (!result.ok) {
    // a bad --set is about the command line, not a place in the file: no caret under line 1
    const setErrors = result.diagnostics.filter((d) => d.override === true);
    if (setErrors.length === result.diagnostics.length) {
      const text = setErrors.map((d) => `${d.message.replace(/`/g, '"')} in ${model.name}${d.hint ? ` (${d.hint.replace(/`/g, '"')})` : ''}`).join('; ');
      throw new CliError(`descent ${command}: ${text}.`);
    }
    const shown = formatDiagnostics(result.diagnostics, model.source);
    const n = result.diagnostics.length;
    throw new CliError(`descent ${command}: ${model.name} does not compile (${n} error${n === 1 ? '' : 's'}):\n${shown}`);
  }
  const program = result.program;
  const optimizer = resolveOptimizer(program.settings.optimizer, config, hyper, command);
  const spec = validSpec(optimizer, command);
  const steps = config.steps ?? program.settings.steps;
  const logCount = config.log ?? program.settings.log;
  const scheduled = Object.keys(optimizer.schedule ?? {});
  const schedule = scheduled.length === 0 ? undefined : (step: number): Record<string, number> => {
    const all = program.optimizerArgsAt(step);
    return Object.fromEntries(scheduled.map((k) => [k, all[k]!]));
  };
  return { config, model, program, optimizer, spec, ...(schedule ? { schedule } : {}), steps, logCount, seed: program.seed };
}

/**
 * The optimizer's spec, checked by the optimizer's own rules (a positive lr, betas in [0, 1), a
 * positive dt, …) before anything runs: a bad value is exit 2 naming it, in `check` too.
 */
export function validSpec(o: OptimizerSetting, command = 'run'): OptimizerSpec {
  let spec: OptimizerSpec;
  try {
    spec = toSpec(o);
    createOptimizer(spec, []);
  } catch (e) {
    if (!(e instanceof OptimizerError)) throw e;
    throw new CliError(`descent ${command}: ${optimizerText(o)}: ${e.message.replace(/^\w+: /, '')} (set in the model file, or with --lr / --set).`);
  }
  return spec;
}

/**
 * The optimizer of a run: the file's, or `--optimizer NAME` with its defaults and the file's
 * arguments of the same name (so `lr` carries over); then `--set` arguments and `--lr` (which
 * is `dt` for flow).
 */
export function resolveOptimizer(file: OptimizerSetting, config: RunConfig, hyper: Readonly<Record<string, number>>, command = 'run'): OptimizerSetting {
  const name = config.optimizer ?? file.name;
  const defaults = OPTIMIZER_DEFAULTS[name];
  const args: Record<string, number> = Object.fromEntries(defaults);
  if (name === file.name) Object.assign(args, file.args);
  else for (const [k, v] of Object.entries(file.args)) if (k in args) args[k] = v;
  for (const [k, v] of Object.entries(hyper)) {
    if (!(k in args)) {
      throw new CliError(`descent ${command}: --set ${k}=${fmtExact(v)}: the optimizer ${name} has no argument ${k}; it takes ${Object.keys(args).join(', ')}.`);
    }
    args[k] = v;
  }
  if (config.lr !== undefined) args[OPTIMIZERS[name].rate] = config.lr;
  // a schedule of the file's carries over to the run's optimizer unless that argument was set
  const schedule: Record<string, string> = {};
  for (const [k, text] of Object.entries(file.schedule ?? {})) {
    const set = k in hyper || (config.lr !== undefined && k === OPTIMIZERS[name].rate);
    if (k in args && !set) schedule[k] = text;
  }
  return Object.keys(schedule).length > 0 ? { name, args, schedule } : { name, args };
}

/** The optimizer module's spec of a resolved setting (the library's table fills and checks the arguments). */
export function toSpec(o: OptimizerSetting): OptimizerSpec {
  return optimizerSpec(o.name, o.args);
}

/** "adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8)"; a schedule shows its expression of `step`. */
export function optimizerText(o: OptimizerSetting): string {
  const arg = ([k, v]: [string, number]): string => {
    const text = o.schedule?.[k];
    return text === undefined ? `${k}=${fmtExact(v)}` : `${k}=${text.replace(/\s+/g, ' ')}`;
  };
  return `${o.name}(${Object.entries(o.args).map(arg).join(', ')})`;
}
