// Command-line parsing for the descent subcommands: flags, repeatable --set, seed lists, clear errors.
import { COMMANDS, FLAGS, type CommandName, type FlagSpec } from './command-table.js';
import { OPTIMIZER_KINDS, type OptimizerKind } from '@descent/autodiff/optim';
import { CliError, didYouMean, suggest } from './errors.js';

/** `--set name=value`; `values` has one entry except in a sweep (`--set n=1,2,5`). */
export interface Setting {
  readonly name: string;
  readonly values: readonly number[];
}

/** Flag values by camel-cased name; booleans are false and `set` empty when not given. */
export interface Flags {
  steps?: number;
  lr?: number;
  optimizer?: OptimizerKind;
  /** `descent sweep --optimizer gd,momentum,adam`: the optimizers swept (two or more). */
  optimizers?: OptimizerKind[];
  seed?: number;
  set: Setting[];
  samples?: number;
  fresh: boolean;
  /** `--fixed`: one batch drawn at the start (the opposite of --fresh). */
  fixed: boolean;
  quadrature?: number;
  log?: number;
  out?: string;
  force: boolean;
  quiet: boolean;
  json: boolean;
  checkpointEvery?: number;
  /** Bytes. */
  maxMemory?: number;
  /** A file or folder outside the model's folder that load() may read. */
  allowRead?: string;
  params?: string;
  /** `descent eval --step T`: the step counter's value. */
  step?: number;
  seeds?: number[];
  jobs?: number;
  /** `descent sweep --no-batch`: one program per entry, even for seeds that could run batched. */
  noBatch?: boolean;
  plan: boolean;
  index?: number;
  emit?: 'slurm';
  submit?: 'slurm';
  sbatchArgs?: string;
  metric?: string;
  title?: string;
  claims?: string;
  allowKernelChange?: boolean;
  port?: number;
}

export type ParsedArgs =
  | { readonly kind: 'help'; readonly command?: CommandName }
  | { readonly kind: 'version' }
  | { readonly kind: 'command'; readonly command: CommandName; readonly positionals: string[]; readonly flags: Flags };

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_SEEDS = 100_000;

const camel = (s: string): string => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Parses `argv` (without node and the script). Throws CliError (exit code 2) with a one-paragraph
 * message for anything wrong: unknown command or flag (with a suggestion), a missing or bad
 * value, a flag given twice, a wrong number of arguments.
 * @example parseArgs(['run', 'relu-neuron', '--steps', '1e5', '--set', 'n=4'])
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const first = argv[0];
  if (first === undefined || first === '--help' || first === '-h') return { kind: 'help' };
  if (first === '--version' || first === '-V') return { kind: 'version' };
  if (first === 'help') {
    const topic = argv[1];
    return topic !== undefined && topic in COMMANDS ? { kind: 'help', command: topic as CommandName } : { kind: 'help' };
  }
  if (!(first in COMMANDS)) {
    const what = first.startsWith('-') ? `expects a command before flags, got ${first}` : `unknown command "${first}".`;
    const hint = first.startsWith('-') ? '' : didYouMean(suggest(first, Object.keys(COMMANDS)));
    throw new CliError(`descent ${what}${hint} Commands: ${Object.keys(COMMANDS).join(', ')}. Run \`descent --help\` for more.`);
  }
  const command = first as CommandName;
  const spec = COMMANDS[command];
  const rest = argv.slice(1);
  const dashdash = rest.indexOf('--');
  if ((dashdash < 0 ? rest : rest.slice(0, dashdash)).some((a) => a === '--help' || a === '-h')) return { kind: 'help', command };

  const flags: Flags = { set: [], fresh: false, fixed: false, force: false, quiet: false, json: false, plan: false };
  const record = flags as unknown as Record<string, unknown>;
  const seen = new Set<string>();
  const positionals: string[] = [];
  const fail = (msg: string): never => {
    throw new CliError(`descent ${command}: ${msg} Run \`descent ${command} --help\` for the flags.`);
  };

  for (let i = 0; i < rest.length; i++) {
    const tok = rest[i]!;
    if (tok === '--') {
      positionals.push(...rest.slice(i + 1));
      break;
    }
    if (!tok.startsWith('-') || tok === '-') {
      positionals.push(tok);
      continue;
    }
    const eq = tok.indexOf('=');
    const name = tok.startsWith('--') ? tok.slice(2, eq < 0 ? undefined : eq) : tok.slice(1);
    const fl = FLAGS[name];
    if (!tok.startsWith('--') || !fl || !spec.flags.includes(name)) fail(unknownFlag(command, tok, name));
    const flag = fl!;
    if (flag.type === 'bool') {
      if (eq >= 0) fail(`--${name} takes no value (got "${tok.slice(eq + 1)}").`);
      if (seen.has(name)) fail(`--${name} is given twice.`);
      seen.add(name);
      record[camel(name)] = true;
      continue;
    }
    let value: string;
    if (eq >= 0) value = tok.slice(eq + 1);
    else {
      const next = rest[i + 1];
      // a following token is this flag's value unless it is another flag (negative numbers are values)
      if (next === undefined || (!flag.dashValue && ((next.startsWith('--') && !NUMBER.test(next)) || (next.startsWith('-') && !NUMBER.test(next) && next !== '-')))) {
        fail(`--${name} needs a value: ${describe(flag)}, e.g. ${example(flag)}.`);
      }
      value = next!;
      i++;
    }
    if (flag.type === 'set') {
      const s = parseSetting(value, command === 'sweep', fail);
      if (flags.set.some((x) => x.name === s.name)) fail(`--set ${s.name} is given twice; give each name once${command === 'sweep' ? ' with a comma list of values' : ''}.`);
      flags.set.push(s);
      continue;
    }
    if (seen.has(name)) fail(`--${name} is given twice.`);
    seen.add(name);
    if (name === 'optimizer' && command === 'sweep' && value.includes(',')) {
      // a sweep over optimizers: each one a run of its own (with its own --set NAME.ARG values)
      const list = value.split(',').map((v) => parseValue(flag, v.trim(), fail) as NonNullable<Flags['optimizer']>);
      const dup = list.find((x, i) => list.indexOf(x) !== i);
      if (dup !== undefined) fail(`--optimizer lists ${dup} twice.`);
      flags.optimizers = list;
      continue;
    }
    record[camel(name)] = parseValue(flag, value, fail);
  }

  if (positionals.length < spec.min) fail(`needs ${spec.missing ?? spec.args}.`);
  if (positionals.length > spec.max) {
    const extra = positionals.slice(spec.max);
    fail(spec.max === 0 ? `takes no arguments, got ${extra.join(' ')}.` : `takes ${spec.args} only; unexpected ${extra.map((e) => `"${e}"`).join(', ')}.`);
  }
  if (flags.fixed && flags.fresh) fail('--fixed keeps one sample batch and --fresh draws a new one every step: give one of them.');
  if (command === 'sweep') checkSweep(flags, fail);
  return { kind: 'command', command, positionals, flags };
}

/** The message for a flag this command does not take: a typo suggestion, or the commands that take it. */
function unknownFlag(command: CommandName, tok: string, name: string): string {
  const own = COMMANDS[command].flags;
  if (!tok.startsWith('--') && tok.length > 1) {
    const long = own.find((f) => f === name) ?? suggest(name, own, 1)[0];
    return `unknown flag ${tok} (flags start with two dashes).${long ? ` Did you mean --${long}?` : ''}`;
  }
  if (FLAGS[name]) {
    const owners = Object.values(COMMANDS).filter((c) => c.flags.includes(name)).map((c) => c.name);
    return `--${name} is not a flag of ${command}; it belongs to ${owners.join(', ')}.`;
  }
  return `unknown flag ${tok.split('=')[0]}.${didYouMean(suggest(name, own).map((f) => `--${f}`))}`;
}

function describe(f: FlagSpec): string {
  switch (f.type) {
    case 'int':
      return `a whole number${f.min !== undefined ? ` ≥ ${f.min}` : ''}`;
    case 'number':
      return f.positive ? 'a positive number' : 'a number';
    case 'choice':
      return `one of ${f.choices!.join(', ')}`;
    case 'set':
      return 'NAME=VALUE';
    case 'seeds':
      return 'a list of seeds like 1-8, 1,3,5 or 1-4,9';
    case 'size':
      return 'a size in bytes, optionally with K, M, G or T';
    default:
      return f.meta ?? 'a value';
  }
}

function example(f: FlagSpec): string {
  const ex: Record<string, string> = {
    steps: '--steps 10000', lr: '--lr 0.01', optimizer: '--optimizer adam', seed: '--seed 1', set: '--set n=4',
    samples: '--samples 20000', quadrature: '--quadrature 20', log: '--log 200', out: '--out runs/a', 'checkpoint-every': '--checkpoint-every 1000',
    'max-memory': '--max-memory 4G', params: '--params p.json', step: '--step 100', seeds: '--seeds 1-8', jobs: '--jobs 2', index: '--index 0',
    'allow-read': '--allow-read ../data', emit: '--emit slurm', submit: '--submit slurm', 'sbatch-args': '--sbatch-args "--time=1:00:00"', metric: '--metric align', title: '--title "ReLU, n = 4"', claims: '--claims ci.claims',
  };
  return ex[f.name] ?? `--${f.name} ${f.meta ?? 'VALUE'}`;
}

function parseNumber(s: string): number | null {
  return NUMBER.test(s.trim()) ? Number(s) : null;
}

function parseValue(f: FlagSpec, v: string, fail: (m: string) => never): unknown {
  const bad = (): never => fail(`--${f.name} wants ${describe(f)}, got "${v}".`);
  switch (f.type) {
    case 'int': {
      const x = parseNumber(v);
      if (x === null || !Number.isSafeInteger(x) || (f.min !== undefined && x < f.min)) return bad();
      return x;
    }
    case 'number': {
      const x = parseNumber(v);
      if (x === null || !Number.isFinite(x) || (f.positive && !(x > 0))) return bad();
      return x;
    }
    case 'choice': {
      if (f.choices!.includes(v)) return v;
      return fail(`--${f.name} wants ${describe(f)}, got "${v}".${didYouMean(suggest(v, f.choices!))}`);
    }
    case 'seeds':
      return parseSeeds(v, bad, fail);
    case 'size':
      return parseSize(v) ?? bad();
    case 'string':
      if (v === '') return bad();
      return v;
    default:
      return bad();
  }
}

/** `adam.lr`: an argument of one optimizer of a sweep's --optimizer list. */
const QUALIFIED_ARG = new RegExp(`^(${OPTIMIZER_KINDS.join('|')})\\.[A-Za-z_][A-Za-z0-9_]*$`);

/** "n=4" (or "n=1,2,5" when lists are allowed). */
function parseSetting(v: string, lists: boolean, fail: (m: string) => never): Setting {
  const eq = v.indexOf('=');
  const name = eq < 0 ? v : v.slice(0, eq).trim();
  if (eq < 0) fail(`--set wants NAME=VALUE, got "${v}" (e.g. --set ${NAME.test(v) ? v : 'n'}=4).`);
  // in a sweep, `adam.lr=...` sets an argument of one optimizer of --optimizer gd,momentum,adam
  const qualified = lists && QUALIFIED_ARG.test(name);
  if (!NAME.test(name) && !qualified) fail(`--set "${v}": "${name}" is not a name (letters, digits and _, not starting with a digit).`);
  const parts = v.slice(eq + 1).split(',');
  if (parts.length > 1 && !lists) {
    fail(`--set ${v} gives several values; lists of values are for \`descent sweep\`.`);
  }
  const values = parts.map((p) => {
    const x = parseNumber(p);
    if (x === null || !Number.isFinite(x)) fail(`--set ${name}= wants a number${lists ? ' or a comma list of numbers' : ''}, got "${p}".`);
    return x!;
  });
  const dup = values.find((x, i) => values.indexOf(x) !== i);
  if (dup !== undefined) fail(`--set ${name} lists ${dup} twice.`);
  return { name, values };
}

/** "1-8", "1,3,5", "1-4,9": distinct non-negative integers in the order written. */
export function parseSeeds(v: string, bad: () => never, fail: (m: string) => never): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  for (const part of v.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) return bad();
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) fail(`--seeds range ${part.trim()} runs backwards; write ${b}-${a}.`);
    if (out.length + (b - a + 1) > MAX_SEEDS) fail(`--seeds ${v} gives more than ${MAX_SEEDS} seeds.`);
    for (let s = a; s <= b; s++) {
      if (seen.has(s)) fail(`--seeds ${v} lists seed ${s} twice.`);
      seen.add(s);
      out.push(s);
    }
  }
  return out;
}

/** "512M" → 536870912; units K, M, G, T are powers of 1024, with optional "i" and "B". */
export function parseSize(v: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(v);
  if (!m) return null;
  const scale = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G' | 'T'];
  const bytes = Math.round(Number(m[1]) * scale);
  return bytes > 0 && Number.isSafeInteger(bytes) ? bytes : null;
}

/** Sweep flags that only make sense together. */
function checkSweep(f: Flags, fail: (m: string) => never): void {
  for (const s of f.set) {
    const [opt] = s.name.split('.');
    if (s.name.includes('.') && !(f.optimizers ?? (f.optimizer ? [f.optimizer] : [])).includes(opt as OptimizerKind)) {
      fail(`--set ${s.name} sets an argument of ${opt}, which --optimizer does not list (e.g. --optimizer gd,${opt}).`);
    }
  }
  if (f.plan && f.index !== undefined) fail('--plan prints the whole run list and --index runs one entry: give one of them.');
  if (f.emit && (f.index !== undefined || f.plan)) fail(`--emit ${f.emit} writes a script that runs every entry; it cannot be combined with --${f.plan ? 'plan' : 'index'}.`);
  if (f.submit && (f.emit || f.index !== undefined || f.plan)) fail(`--submit ${f.submit} writes and submits a script that runs every entry; it cannot be combined with --${f.emit ? 'emit' : f.plan ? 'plan' : 'index'}.`);
  if (f.sbatchArgs !== undefined && !f.submit) fail('--sbatch-args gives options to sbatch, so it needs --submit slurm.');
  if ((f.emit || f.index !== undefined) && f.out === undefined) {
    fail(`--${f.emit ? 'emit' : 'index'} needs --out DIR, so that every entry of the sweep writes into the same folder and \`descent collect DIR\` finds them.`);
  }
}
