// The sbatch --array script of a sweep: one task per entry, independent of the submitting shell.
import { FLAGS } from './commands.js';
import { CliError } from './errors.js';

/** Quotes an argument for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Flags that concern one invocation of `descent sweep`, not the sweep it defines. --force too: it
 * clears the folder once, when submitting; a task given it would start afresh when requeued.
 */
const PER_INVOCATION = new Set(['emit', 'submit', 'sbatch-args', 'plan', 'index', 'jobs', 'json', 'force']);

/**
 * The sweep's own argv (starting with "sweep") for an array task: the flags that only concern
 * this invocation removed (--emit, --submit, --sbatch-args, --plan, --index, --jobs, --json, --force), the model
 * argument replaced by `model` and --out by `out` when given (absolute paths on a cluster).
 * @example sweepArgvForTasks(['sweep', 'm.loss', '--seeds', '1-4', '--out', 'sw', '--jobs', '2'], '/h/m.loss', '/h/sw')
 *   // ['sweep', '/h/m.loss', '--seeds', '1-4', '--out', '/h/sw']
 */
export function sweepArgvForTasks(argv: readonly string[], model?: string, out?: string): string[] {
  const kept: string[] = [];
  const positionals: string[] = [];
  let outValue: string | undefined;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const takesValue = FLAGS[name] !== undefined && FLAGS[name].type !== 'bool' && eq < 0;
    const value = takesValue ? argv[++i] : eq < 0 ? undefined : a.slice(eq + 1);
    if (PER_INVOCATION.has(name)) continue;
    if (name === 'out') {
      outValue = value;
      continue;
    }
    if (takesValue) kept.push(a, value!);
    else kept.push(a);
  }
  const modelArg = model ?? positionals[0];
  const outArg = out ?? outValue;
  return ['sweep', ...(modelArg !== undefined ? [modelArg] : []), ...kept, ...(outArg !== undefined ? ['--out', outArg] : [])];
}

export interface SlurmOptions {
  /** The sweep's argv after `descent` (starting with "sweep"), as typed. */
  readonly argv: readonly string[];
  /** Number of runs in the plan. */
  readonly count: number;
  /** Absolute path of the model file. */
  readonly model: string;
  /** Absolute path of the sweep folder. */
  readonly out: string;
  /** Absolute path of the folder the sweep was defined in: the tasks run there (other relative paths). */
  readonly cwd: string;
  /** Absolute paths of the Node executable and of descent's entry (main.js). */
  readonly node: string;
  readonly cli: string;
  /** At most this many tasks at once (`--array=0-N%K`), from --jobs. */
  readonly parallel?: number;
  readonly jobName?: string;
}

/**
 * A ready `sbatch` script: one array task per run, each `exec`ing Node on descent's entry with
 * `sweep … --index $SLURM_ARRAY_TASK_ID`. Every path is absolute and nothing is taken from the
 * submitting shell (`--export=NONE`), so it runs as it is from any folder. Tasks are requeueable,
 * and get SIGUSR1 60 s before their time limit: descent then checkpoints and requeues the task,
 * which resumes from the checkpoint (see docs/cluster.md). Resources (time, memory, partition)
 * are left for the user to add.
 */
export function slurmScript(o: SlurmOptions): string {
  if (o.count < 1) throw new CliError('descent sweep: the sweep has no runs to put in a slurm array.');
  const args = sweepArgvForTasks(o.argv, o.model, o.out);
  const cmd = ['exec', o.node, o.cli, ...args].map(shellQuote).join(' ');
  const out = o.out.replace(/\/+$/, '');
  const name = o.jobName ?? `descent-${out.split('/').pop() || 'sweep'}`;
  return [
    '#!/bin/bash',
    `#SBATCH --job-name=${shellQuote(name)}`,
    `#SBATCH --array=0-${o.count - 1}${o.parallel ? `%${o.parallel}` : ''}`,
    `#SBATCH --output=${shellQuote(`${out}/slurm-%A_%a.out`)}`,
    '#SBATCH --open-mode=append',
    `#SBATCH --chdir=${shellQuote(o.cwd)}`,
    '#SBATCH --export=NONE',
    '#SBATCH --ntasks=1',
    '#SBATCH --cpus-per-task=1',
    '#SBATCH --requeue',
    '#SBATCH --signal=B:USR1@60',
    '# Add --time, --mem and --partition lines for your cluster here.',
    '',
    `# ${o.count} run${o.count === 1 ? '' : 's'}; task I runs entry I of \`descent ${args.map(shellQuote).join(' ')} --plan\`.`,
    '# Paths are absolute and no variable of the submitting shell is used: `sbatch THIS_FILE` works from',
    `# any folder once ${shellQuote(out)} exists (Slurm opens the --output files there).`,
    '# Preemption: on SIGTERM (requeue, preemption) or SIGUSR1 (60 s before --time) a task checkpoints at',
    '# the next step and stops (after SIGUSR1 it requeues itself); run again, it resumes from the',
    '# checkpoint, and a task whose run is finished does nothing.',
    `# When all tasks are done: descent collect ${shellQuote(out)}`,
    `${cmd} --index "$SLURM_ARRAY_TASK_ID"`,
    '',
  ].join('\n');
}
