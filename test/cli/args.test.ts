// Argument parsing: a golden table of good and bad command lines, help, suggestions, value forms.
import { describe, expect, it } from 'vitest';
import { parseArgs, parseSize, type Flags } from '../../packages/cli/src/args.js';
import { COMMAND_ORDER, COMMANDS, FLAGS, helpText } from '../../packages/cli/src/command-table.js';
import { CliError, editDistance, suggest } from '../../packages/cli/src/errors.js';

const base: Flags = { set: [], fresh: false, fixed: false, force: false, quiet: false, json: false, plan: false };
const split = (s: string): string[] => (s === '' ? [] : s.split(' '));

describe('good command lines', () => {
  it.each<[string, string, string[], Partial<Flags>]>([
    ['run relu-neuron', 'run', ['relu-neuron'], {}],
    ['run m.loss --steps 1e5 --lr 0.05 --optimizer adam --seed 3', 'run', ['m.loss'], { steps: 100000, lr: 0.05, optimizer: 'adam', seed: 3 }],
    ['run m.loss --steps=200 --set n=4 --set lr_scale=-2.5e-3', 'run', ['m.loss'], { steps: 200, set: [{ name: 'n', values: [4] }, { name: 'lr_scale', values: [-0.0025] }] }],
    ['run m --samples 20000 --fresh --quadrature 20 --log 50 --out runs/x --quiet --json', 'run', ['m'], { samples: 20000, fresh: true, quadrature: 20, log: 50, out: 'runs/x', quiet: true, json: true }],
    ['run m --checkpoint-every 1000 --force --max-memory 512M', 'run', ['m'], { checkpointEvery: 1000, force: true, maxMemory: 512 * 2 ** 20 }],
    ['run --steps 10 m', 'run', ['m'], { steps: 10 }],
    ['run -- --odd-name.loss', 'run', ['--odd-name.loss'], {}],
    ['check m.loss --set d=20', 'check', ['m.loss'], { set: [{ name: 'd', values: [20] }] }],
    ['eval m --params p.json --json', 'eval', ['m'], { params: 'p.json', json: true }],
    ['verify a b c.loss --quiet', 'verify', ['a', 'b', 'c.loss'], { quiet: true }],
    ['sweep m --set n=1,2,5 --set lr=0.1,0.01 --seeds 1-8 --jobs 2', 'sweep', ['m'], {
      set: [{ name: 'n', values: [1, 2, 5] }, { name: 'lr', values: [0.1, 0.01] }], seeds: [1, 2, 3, 4, 5, 6, 7, 8], jobs: 2,
    }],
    ['sweep m --seeds 1-3,7,10-11 --out runs/s --index 4', 'sweep', ['m'], { seeds: [1, 2, 3, 7, 10, 11], out: 'runs/s', index: 4 }],
    ['sweep m --set n=1,2 --out runs/s --emit slurm', 'sweep', ['m'], { set: [{ name: 'n', values: [1, 2] }], out: 'runs/s', emit: 'slurm' }],
    ['sweep m --plan', 'sweep', ['m'], { plan: true }],
    ['plot runs/a runs/b --metric norm[0] --out x.png --title T', 'plot', ['runs/a', 'runs/b'], { metric: 'norm[0]', out: 'x.png', title: 'T' }],
    ['models', 'models', [], {}],
    ['models --json', 'models', [], { json: true }],
    ['collect runs/s', 'collect', ['runs/s'], {}],
    ['resume runs/r --checkpoint-every 500', 'resume', ['runs/r'], { checkpointEvery: 500 }],
    ['view runs/a runs/b --port 8080', 'view', ['runs/a', 'runs/b'], { port: 8080 }],
  ])('%s', (line, command, positionals, flags) => {
    expect(parseArgs(split(line))).toEqual({ kind: 'command', command, positionals, flags: { ...base, ...flags } });
  });

  it('keeps positionals after -- as they are', () => {
    expect(parseArgs(['verify', 'a', '--', '--b.loss', '-c'])).toMatchObject({ positionals: ['a', '--b.loss', '-c'] });
  });

  it('takes negative numbers as values', () => {
    expect(parseArgs(['run', 'm', '--set', 'c=-1'])).toMatchObject({ flags: { set: [{ name: 'c', values: [-1] }] } });
    expect(() => parseArgs(['run', 'm', '--lr', '-1'])).toThrow(/--lr wants a positive number, got "-1"/);
  });
});

describe('help and version', () => {
  it.each<[string, object]>([
    ['', { kind: 'help' }],
    ['--help', { kind: 'help' }],
    ['-h', { kind: 'help' }],
    ['help', { kind: 'help' }],
    ['help sweep', { kind: 'help', command: 'sweep' }],
    ['run --help', { kind: 'help', command: 'run' }],
    ['run m --bogus -h', { kind: 'help', command: 'run' }],
    ['--version', { kind: 'version' }],
  ])('%j', (line, want) => expect(parseArgs(split(line))).toEqual(want));

  it('lists every command, and every flag of a command with examples', () => {
    const top = helpText();
    for (const c of COMMAND_ORDER) expect(top).toContain(`  ${c} `);
    for (const c of COMMAND_ORDER) {
      const h = helpText(c);
      expect(h).toMatch(new RegExp(`^Usage: descent ${c}`));
      for (const f of COMMANDS[c].flags) expect(h).toContain(`--${f}`);
      expect(h).toContain('Examples:');
    }
    expect(helpText('run')).toContain('--optimizer NAME  ');
  });

  it('every flag named by a command exists', () => {
    for (const c of COMMAND_ORDER) for (const f of COMMANDS[c].flags) expect(FLAGS[f], `${c} --${f}`).toBeDefined();
  });
});

describe('bad command lines: CliError, exit code 2, one paragraph', () => {
  it.each<[string, RegExp]>([
    ['rn m', /^descent unknown command "rn"\. Did you mean run\? Commands: run, check, .*descent --help/],
    ['swep m', /Did you mean sweep\?/],
    ['--steps 3', /expects a command before flags, got --steps/],
    ['run m --stpes 10', /^descent run: unknown flag --stpes\. Did you mean --steps\? Run `descent run --help` for the flags\.$/],
    ['run m --sed 1', /unknown flag --sed\. Did you mean --seed( or --set)?\?/],
    ['run m --frobnicate', /^descent run: unknown flag --frobnicate\. Run `descent run --help`/],
    ['run m -steps 10', /unknown flag -steps \(flags start with two dashes\)\. Did you mean --steps\?/],
    ['run m --jobs 2', /--jobs is not a flag of run; it belongs to sweep\./],
    ['run m --steps', /--steps needs a value: a whole number ≥ 1, e\.g\. --steps 10000\./],
    ['run m --steps --quiet', /--steps needs a value/],
    ['run m --out', /--out needs a value/],
    ['run m --steps 1.5', /--steps wants a whole number ≥ 1, got "1\.5"/],
    ['run m --steps 0', /--steps wants a whole number ≥ 1, got "0"/],
    ['run m --steps ten', /--steps wants a whole number/],
    ['run m --steps 0x10', /--steps wants a whole number/],
    ['run m --steps 5 --steps 6', /--steps is given twice/],
    ['run m --lr 0', /--lr wants a positive number, got "0"/],
    ['run m --optimizer adma', /--optimizer wants one of gd, momentum, adam, flow, got "adma"\. Did you mean adam\?/],
    ['run m --quiet=yes', /--quiet takes no value/],
    ['run m --quiet --quiet', /--quiet is given twice/],
    ['run m --set n', /--set wants NAME=VALUE, got "n" \(e\.g\. --set n=4\)/],
    ['run m --set 2n=3', /"2n" is not a name/],
    ['run m --set n=abc', /--set n= wants a number, got "abc"/],
    ['run m --set n=1,2', /gives several values; lists of values are for `descent sweep`/],
    ['run m --set n=1 --set n=2', /--set n is given twice/],
    ['run m --max-memory lots', /--max-memory wants a size in bytes/],
    ['run', /^descent run: needs a model: a \.loss file, a prebuilt model name \(see `descent models`\), - for standard input, or a run folder to run again\./],
    ['run a b', /takes MODEL only; unexpected "b"/],
    ['models extra', /takes no arguments, got extra/],
    ['plot', /needs one or more run directories/],
    ['sweep m --seeds 8-1', /--seeds range 8-1 runs backwards; write 1-8/],
    ['sweep m --seeds 1-3,2', /lists seed 2 twice/],
    ['sweep m --seeds a-b', /--seeds wants a list of seeds like 1-8/],
    ['sweep m --set n=1,1', /--set n lists 1 twice/],
    ['sweep m --set n=1,', /--set n= wants a number or a comma list of numbers, got ""/],
    ['sweep m --plan --index 0 --out d', /give one of them/],
    ['sweep m --emit slurm --index 0 --out d', /cannot be combined with --index/],
    ['sweep m --emit slurm', /--emit needs --out DIR/],
    ['sweep m --index 3', /--index needs --out DIR/],
    ['sweep m --emit pbs --out d', /--emit wants one of slurm, got "pbs"/],
  ])('%s', (line, message) => {
    let err: unknown;
    try {
      parseArgs(split(line));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CliError);
    const e = err as CliError;
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain('\n');
  });
});

describe('helpers', () => {
  it('edit distance counts swaps as one', () => {
    expect(editDistance('stpes', 'steps')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests close names and prefixes only', () => {
    expect(suggest('stpes', ['steps', 'seed', 'set'])).toEqual(['steps']);
    expect(suggest('check', ['run', 'sweep'])).toEqual([]);
    expect(suggest('quad', ['quadrature', 'quiet'])).toEqual(['quadrature']);
  });

  it('parses sizes', () => {
    expect(parseSize('100000')).toBe(100000);
    expect(parseSize('4G')).toBe(4 * 2 ** 30);
    expect(parseSize('1.5GiB')).toBe(1.5 * 2 ** 30);
    expect(parseSize('512mb')).toBe(512 * 2 ** 20);
    expect(parseSize('0')).toBeNull();
    expect(parseSize('-1G')).toBeNull();
  });
});
