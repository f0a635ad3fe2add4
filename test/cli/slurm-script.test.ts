// The sbatch script of a sweep (absolute paths, requeue and signal lines), shell words, Slurm array specs.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../packages/cli/src/args.js';
import { CliError } from '../../packages/cli/src/errors.js';
import { arrayIndices, splitShellWords } from '../../packages/cli/src/slurm.js';
import { shellQuote, slurmScript, sweepArgvForTasks } from '../../packages/cli/src/slurm-script.js';
import { planSweep } from '../../packages/cli/src/sweep-plan.js';

describe('slurm script', () => {
  const argv = ['sweep', 'relu-neuron', '--set', 'n=1,2,5', '--seeds', '1-8', '--out', 'runs/my sweep', '--submit', 'slurm', '--sbatch-args', '--time=1:00:00', '--jobs', '4', '--json', '--force'];
  const where = { model: '/home/r/models/relu-neuron.loss', out: '/home/r/runs/my sweep', cwd: '/home/r', node: '/opt/node 20/bin/node', cli: '/home/r/descent/packages/cli/dist/main.js' };

  it('drops the per-invocation flags from the task command and puts the absolute model and --out in', () => {
    expect(sweepArgvForTasks(argv)).toEqual(['sweep', 'relu-neuron', '--set', 'n=1,2,5', '--seeds', '1-8', '--out', 'runs/my sweep']);
    expect(sweepArgvForTasks(argv, where.model, where.out)).toEqual(['sweep', where.model, '--set', 'n=1,2,5', '--seeds', '1-8', '--out', where.out]);
    expect(sweepArgvForTasks(['sweep', '--steps=5', '--emit=slurm', '--plan', '--index=3', '--', 'm.loss'], '/m.loss', '/o')).toEqual(['sweep', '/m.loss', '--steps=5', '--out', '/o']);
  });

  it('execs Node on descent by absolute paths, needs nothing from the submitting shell, and asks for requeue and a signal', () => {
    const parsed = parseArgs(argv);
    if (parsed.kind !== 'command') throw new Error('parse');
    const count = planSweep(parsed.flags.set, parsed.flags.seeds ?? null).length;
    const script = slurmScript({ argv, count, ...where, parallel: parsed.flags.jobs! });
    expect(script).toMatch(/^#!\/bin\/bash\n/);
    for (const line of [
      '#SBATCH --array=0-23%4', "#SBATCH --output='/home/r/runs/my sweep/slurm-%A_%a.out'", '#SBATCH --open-mode=append', '#SBATCH --chdir=/home/r',
      '#SBATCH --export=NONE', '#SBATCH --requeue', '#SBATCH --signal=B:USR1@60',
    ]) expect(script).toContain(`${line}\n`);
    expect(script).toContain(`exec '/opt/node 20/bin/node' /home/r/descent/packages/cli/dist/main.js sweep /home/r/models/relu-neuron.loss --set n=1,2,5 --seeds 1-8 --out '/home/r/runs/my sweep' --index "$SLURM_ARRAY_TASK_ID"\n`);
    expect(script).not.toMatch(/^descent /m);
    expect(script).not.toContain('--time=1:00:00');
    // the task command parses as a sweep selecting one entry
    const taskArgv = [...sweepArgvForTasks(argv, where.model, where.out), '--index', '7'];
    expect(parseArgs(taskArgv)).toMatchObject({ kind: 'command', positionals: [where.model], flags: { index: 7, out: where.out } });
  });

  it('is valid bash', () => {
    const script = slurmScript({ argv: ['sweep', "it's.loss", '--out', 'o'], count: 1, ...where, model: "/x/it's.loss" });
    expect(script).toContain('--array=0-0\n');
    const r = spawnSync('bash', ['-n'], { input: script });
    expect(r.status).toBe(0);
  });

  it('quotes for the shell only when needed', () => {
    expect(shellQuote('n=1,2,5')).toBe('n=1,2,5');
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('$HOME')).toBe("'$HOME'");
  });
});

describe('--sbatch-args words', () => {
  it('splits like a shell, with quotes and backslashes and no expansion', () => {
    expect(splitShellWords('--export=NONE  --time=1:00:00')).toEqual(['--export=NONE', '--time=1:00:00']);
    expect(splitShellWords(`--comment "a b" --x='c "d"' e\\ f ""`)).toEqual(['--comment', 'a b', '--x=c "d"', 'e f', '']);
    expect(splitShellWords('--mail-user=$USER')).toEqual(['--mail-user=$USER']);
    expect(splitShellWords('   ')).toEqual([]);
  });

  it('refuses an unclosed quote', () => {
    expect(() => splitShellWords('--comment "a b')).toThrow(CliError);
    expect(() => splitShellWords("--comment 'a")).toThrow('has an unclosed single quote');
  });

  it('is read after --sbatch-args even when it starts with a dash', () => {
    const p = parseArgs(['sweep', 'm.loss', '--out', 'o', '--submit', 'slurm', '--sbatch-args', '--time=1:00:00 --partition=gpu']);
    expect(p).toMatchObject({ kind: 'command', flags: { submit: 'slurm', sbatchArgs: '--time=1:00:00 --partition=gpu' } });
    expect(() => parseArgs(['sweep', 'm.loss', '--out', 'o', '--sbatch-args', '--time=1'])).toThrow('--sbatch-args gives options to sbatch, so it needs --submit slurm.');
    expect(() => parseArgs(['sweep', 'm.loss', '--out', 'o', '--submit', 'slurm', '--index', '1'])).toThrow('cannot be combined with --index');
  });
});

describe('Slurm array specs', () => {
  it('lists the task indices of squeue, sacct and scontrol forms', () => {
    expect(arrayIndices('3')).toEqual([3]);
    expect(arrayIndices('4-7')).toEqual([4, 5, 6, 7]);
    expect(arrayIndices('4-6%2')).toEqual([4, 5, 6]);
    expect(arrayIndices('[1,3,6-8]')).toEqual([1, 3, 6, 7, 8]);
    expect(arrayIndices('N/A')).toEqual([]);
  });
});
