// The command table: every subcommand with its arguments, flags, one-line help and examples.
import { OPTIMIZER_KINDS, optimizerList } from '@descent/autodiff/optim';

export type CommandName = 'run' | 'check' | 'eval' | 'verify' | 'sweep' | 'plot' | 'models' | 'collect' | 'status' | 'resume' | 'view';

/** How a flag's value is read. */
export type FlagType =
  | 'bool' // present or not
  | 'int' // a whole number (1e5 allowed), at least `min`
  | 'number' // any finite number, at least `min` when given, exclusive when `positive`
  | 'string'
  | 'choice' // one of `choices`
  | 'set' // name=value, repeatable; in sweep, value may be a comma list
  | 'seeds' // 1-8, 1,3,5 or a mix: 1-4,9
  | 'size'; // bytes with an optional unit: 512M, 4G, 100000

export interface FlagSpec {
  readonly name: string;
  readonly type: FlagType;
  /** What the value is, for help and messages: "N", "NAME=VALUE". */
  readonly meta?: string;
  readonly help: string;
  readonly min?: number;
  readonly positive?: boolean;
  readonly choices?: readonly string[];
  /** The next word is the value even when it starts with a dash (--sbatch-args "--time=1:00:00"). */
  readonly dashValue?: boolean;
}

export interface CommandSpec {
  readonly name: CommandName;
  /** Positional arguments for the usage line, e.g. "MODEL" or "RUN_DIR...". */
  readonly args: string;
  /** Minimum and maximum number of positionals (max Infinity for "..."). */
  readonly min: number;
  readonly max: number;
  /** What a missing positional is, for the error message. */
  readonly missing?: string;
  readonly summary: string;
  readonly flags: readonly string[];
  /** What a flag means for this command when it differs from FLAGS' text (e.g. --out a file, not a folder). */
  readonly flagHelp?: Readonly<Record<string, { readonly meta?: string; readonly help: string }>>;
  readonly examples: readonly string[];
}

export const FLAGS: Readonly<Record<string, FlagSpec>> = {
  steps: { name: 'steps', type: 'int', meta: 'N', min: 1, help: 'number of optimizer steps (overrides the file)' },
  lr: { name: 'lr', type: 'number', meta: 'X', positive: true, help: 'learning rate (or flow time step dt)' },
  optimizer: { name: 'optimizer', type: 'choice', meta: 'NAME', choices: OPTIMIZER_KINDS, help: optimizerList() },
  seed: { name: 'seed', type: 'int', meta: 'N', min: 0, help: 'random seed (initialization and samples)' },
  set: { name: 'set', type: 'set', meta: 'NAME=VALUE', help: 'override a dim or a numeric let; repeatable' },
  samples: { name: 'samples', type: 'int', meta: 'N', min: 1, help: 'Monte Carlo samples per expectation (fixed or fresh stays the file\'s unless --fixed/--fresh)' },
  fresh: { name: 'fresh', type: 'bool', help: 'draw a new sample batch every step (the count stays the file\'s unless --samples)' },
  fixed: { name: 'fixed', type: 'bool', help: 'draw one sample batch at the start and keep it (the count stays the file\'s unless --samples)' },
  quadrature: { name: 'quadrature', type: 'int', meta: 'K', min: 1, help: 'exact expectations with K Gauss–Hermite nodes per dimension' },
  log: { name: 'log', type: 'int', meta: 'K', min: 2, help: 'number of log-spaced records (default 200)' },
  out: { name: 'out', type: 'string', meta: 'DIR', help: 'the run folder (default runs/<model>-<timestamp>)' },
  force: { name: 'force', type: 'bool', help: 'replace a previous run in --out' },
  quiet: { name: 'quiet', type: 'bool', help: 'no progress and no summary' },
  json: { name: 'json', type: 'bool', help: 'print the result as JSON on stdout' },
  'checkpoint-every': { name: 'checkpoint-every', type: 'int', meta: 'K', min: 1, help: 'write a resumable checkpoint every K steps' },
  'max-memory': { name: 'max-memory', type: 'size', meta: 'SIZE', help: 'refuse programs whose buffers exceed SIZE (e.g. 4G)' },
  'allow-read': { name: 'allow-read', type: 'string', meta: 'PATH', help: "let load() read PATH (a file or folder) outside the model's folder" },
  params: { name: 'params', type: 'string', meta: 'FILE', help: 'parameter values as JSON: {"w": [[...]], ...}' },
  step: { name: 'step', type: 'int', meta: 'T', min: 0, help: 'evaluate with the step counter `step` = T (default 0)' },
  seeds: { name: 'seeds', type: 'seeds', meta: 'LIST', help: 'seeds to sweep: 1-8, 1,3,5 or 1-4,9' },
  jobs: { name: 'jobs', type: 'int', meta: 'N', min: 1, help: 'runs in parallel (worker threads)' },
  plan: { name: 'plan', type: 'bool', help: 'print the run list and exit' },
  'no-batch': { name: 'no-batch', type: 'bool', help: 'run every seed in its own program (default: seeds of the same settings run as one batched program)' },
  index: { name: 'index', type: 'int', meta: 'I', min: 0, help: 'run entry I of the run list alone (e.g. $SLURM_ARRAY_TASK_ID)' },
  emit: { name: 'emit', type: 'choice', meta: 'KIND', choices: ['slurm'], help: 'write a cluster script: slurm (an sbatch --array script)' },
  submit: { name: 'submit', type: 'choice', meta: 'KIND', choices: ['slurm'], help: 'write the cluster script into --out and submit it: slurm (sbatch)' },
  'sbatch-args': { name: 'sbatch-args', type: 'string', meta: 'ARGS', dashValue: true, help: 'more sbatch options for --submit slurm, e.g. "--time=2:00:00 --partition=gpu"' },
  metric: { name: 'metric', type: 'string', meta: 'NAME', help: 'plot this metric instead of the loss (NAME or NAME[i])' },
  title: { name: 'title', type: 'string', meta: 'TEXT', help: 'plot title' },
  port: { name: 'port', type: 'int', meta: 'N', min: 0, help: 'port to listen on, on 127.0.0.1 only (default: a free one)' },
  claims: { name: 'claims', type: 'string', meta: 'FILE', help: "check the claim lines of FILE instead of each model's own" },
  'allow-kernel-change': { name: 'allow-kernel-change', type: 'bool', help: 'resume with other kernels than the run used (recorded in run.json)' },
};

const TRAIN = ['steps', 'lr', 'optimizer', 'seed', 'set', 'samples', 'fresh', 'fixed', 'quadrature', 'log', 'max-memory', 'allow-read'];

export const COMMANDS: Readonly<Record<CommandName, CommandSpec>> = {
  run: {
    name: 'run', args: 'MODEL', min: 1, max: 1, missing: 'a model: a .loss file, a prebuilt model name (see `descent models`), - for standard input, or a run folder to run again',
    summary: 'compile and train a model (a .loss file, a prebuilt name, - for standard input, or a run folder to run again); write log.jsonl, run.json and loss.svg',
    flags: [...TRAIN, 'out', 'force', 'quiet', 'json', 'checkpoint-every'],
    examples: [
      'descent run relu-neuron',
      'descent run model.loss --steps 1e5 --set n=4 --optimizer adam --lr 1e-3',
      'descent run relu-neuron --out runs/n4 --checkpoint-every 10000',
      'descent run runs/n4 --out runs/n4-again   # the same run again, from its run.json',
      'cat model.loss | descent run -',
    ],
  },
  check: {
    name: 'check', args: 'MODEL', min: 1, max: 1, missing: 'a model: a .loss file or a prebuilt model name',
    summary: 'parse and type-check; print shapes, parameter count and a gradient check',
    flags: ['set', 'seed', 'samples', 'fresh', 'fixed', 'quadrature', 'json', 'max-memory', 'allow-read'],
    examples: ['descent check model.loss', 'descent check relu-neuron --set d=20'],
  },
  eval: {
    name: 'eval', args: 'MODEL', min: 1, max: 1, missing: 'a model: a .loss file or a prebuilt model name',
    summary: 'loss, metrics and gradients at given parameter values (or at the initialization)',
    flags: ['params', 'step', 'set', 'seed', 'samples', 'fresh', 'fixed', 'quadrature', 'json', 'max-memory', 'allow-read'],
    examples: ['descent eval relu-neuron --json', 'descent eval model.loss --params p.json --json', 'descent eval model.loss --step 100'],
  },
  verify: {
    name: 'verify', args: 'MODEL...', min: 1, max: Infinity, missing: 'one or more models',
    summary: 'run each model and check its claims; exit 1 when one fails',
    flags: [...TRAIN, 'out', 'force', 'quiet', 'json', 'claims'],
    flagHelp: {
      out: { meta: 'DIR', help: 'folder for the runs, one subfolder per model (default runs/<model>-<timestamp> each)' },
      force: { help: 'replace previous runs in the folders of --out' },
    },
    examples: ['descent verify relu-neuron gradient-em', 'descent verify models/*.loss --quiet', 'descent verify score-matching --steps 2000 --samples 1000 --claims ci.claims'],
  },
  sweep: {
    name: 'sweep', args: 'MODEL', min: 1, max: 1, missing: 'a model: a .loss file or a prebuilt model name',
    summary: 'run every combination of settings and seeds; summary.csv and sweep.svg',
    flags: [...TRAIN, 'seeds', 'jobs', 'no-batch', 'plan', 'index', 'emit', 'submit', 'sbatch-args', 'out', 'force', 'quiet', 'json', 'checkpoint-every'],
    flagHelp: {
      out: { meta: 'DIR', help: 'the sweep folder (default runs/<model>-sweep-<timestamp>)' },
      force: { help: 'replace a previous sweep in --out' },
    },
    examples: [
      'descent sweep relu-neuron --set n=1,2,5 --set lr=0.1,0.01 --seeds 1-8 --jobs 2',
      'descent sweep relu-neuron --set n=1,2,5 --seeds 1-8 --out runs/sw --plan',
      'descent sweep relu-neuron --set n=1,2,5 --seeds 1-8 --out runs/sw --emit slurm > sweep.sbatch',
      'descent sweep relu-neuron --set n=1,2,5 --seeds 1-8 --out runs/sw --submit slurm --sbatch-args "--time=1:00:00"',
    ],
  },
  plot: {
    name: 'plot', args: 'RUN_DIR...', min: 1, max: Infinity, missing: 'one or more run directories',
    summary: 'overlay the curves of runs in one SVG or PNG',
    flags: ['metric', 'out', 'title'],
    flagHelp: { out: { meta: 'FILE', help: 'the picture to write, .svg or .png (default plot.svg)' } },
    examples: ['descent plot runs/a runs/b --out both.png', 'descent plot runs/sw/* --metric align'],
  },
  models: { name: 'models', args: '', min: 0, max: 0, summary: 'list the prebuilt models', flags: ['json'], examples: ['descent models'] },
  collect: {
    name: 'collect', args: 'DIR', min: 1, max: 1, missing: 'the sweep directory',
    summary: "build a sweep's summary.csv and sweep.svg from its run folders",
    flags: ['json'],
    examples: ['descent collect runs/sw'],
  },
  status: {
    name: 'status', args: 'DIR', min: 1, max: 1, missing: 'the sweep directory',
    summary: "each entry of a sweep: done, running, pending, failed (and why) or missing, with Slurm's state",
    flags: ['json'],
    examples: ['descent status runs/sw', 'descent status runs/sw --json'],
  },
  resume: {
    name: 'resume', args: 'RUN_DIR', min: 1, max: 1, missing: 'the run directory to resume',
    summary: 'continue an interrupted run from its last checkpoint',
    flags: ['quiet', 'json', 'checkpoint-every', 'force', 'allow-kernel-change'],
    flagHelp: { force: { help: "take over the folder's lock when its holder runs on another machine (it cannot be checked from here)" } },
    examples: ['descent resume runs/relu-neuron-20260101-120000', 'descent resume runs/n4 --checkpoint-every 5000'],
  },
  view: {
    name: 'view', args: '[DIR...]', min: 0, max: Infinity,
    summary: 'browse runs and sweeps in a local web page (live, read-only)',
    flags: ['port'],
    examples: ['descent view', 'descent view runs/sw runs/n4 --port 8080'],
  },
};

/** The commands in the order help lists them. */
export const COMMAND_ORDER: readonly CommandName[] = ['run', 'check', 'eval', 'verify', 'sweep', 'plot', 'models', 'collect', 'status', 'resume', 'view'];

/** `descent --help`, or `descent COMMAND --help`. */
export function helpText(command?: CommandName): string {
  if (!command) {
    const width = Math.max(...COMMAND_ORDER.map((c) => `${c} ${COMMANDS[c].args}`.length));
    return [
      'descent: train the losses of theory papers and check what they claim.',
      '',
      'Usage: descent COMMAND [ARGS] [FLAGS]',
      '',
      'Commands:',
      ...COMMAND_ORDER.map((c) => `  ${`${c} ${COMMANDS[c].args}`.padEnd(width)}  ${COMMANDS[c].summary}`),
      '',
      'Examples:',
      '  descent run relu-neuron',
      '  descent verify relu-neuron',
      '  descent sweep relu-neuron --set n=1,2,5 --seeds 1-4 --jobs 2',
      '',
      'Run `descent COMMAND --help` (or `descent help COMMAND`) for its flags.',
    ].join('\n');
  }
  const spec = COMMANDS[command];
  const rows = spec.flags.map((f) => {
    const fl = { ...FLAGS[f]!, ...spec.flagHelp?.[f] };
    return [`--${fl.name}${fl.meta ? ` ${fl.meta}` : ''}`, fl.help] as const;
  });
  rows.push(['--help', 'show this help']);
  const width = Math.max(...rows.map((r) => r[0].length));
  return [
    `Usage: descent ${command}${spec.args ? ` ${spec.args}` : ''}${spec.flags.length ? ' [FLAGS]' : ''}`,
    '',
    `${spec.summary[0]!.toUpperCase()}${spec.summary.slice(1)}.`,
    '',
    'Flags:',
    ...rows.map(([f, h]) => `  ${f.padEnd(width)}  ${h}`),
    '',
    'Examples:',
    ...spec.examples.map((e) => `  ${e}`),
  ].join('\n');
}
