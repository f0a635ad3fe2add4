// Every command's --help lists exactly the flags its parser accepts, mentions no other, and `descent help CMD` prints it.
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../packages/cli/src/args.js';
import { COMMAND_ORDER, COMMANDS, FLAGS, type CommandName } from '../../packages/cli/src/command-table.js';
import { CliError } from '../../packages/cli/src/errors.js';
import { main } from '../../packages/cli/src/main.js';

async function helpOf(argv: string[]): Promise<string> {
  let out = '';
  const code = await main(argv, { stdout: (s) => void (out += s), stderr: () => undefined });
  expect(code).toBe(0);
  return out;
}

/** A value the parser takes for each flag type. */
const VALUE: Record<string, string | null> = { bool: null, int: '3', number: '0.5', string: 'x.svg', choice: '', set: 'n=2', seeds: '1-2', size: '1G' };

/** Whether the parser of `command` accepts `--flag` (with a valid value): the parser's own table, by behaviour. */
function accepts(command: CommandName, flag: string): boolean {
  const spec = FLAGS[flag]!;
  const value: string | null = spec.type === 'choice' ? spec.choices![0]! : (VALUE[spec.type] ?? null);
  const positionals = Array.from({ length: COMMANDS[command].min }, () => 'm.loss');
  const extra = command === 'sweep' && (flag === 'index' || flag === 'emit') ? ['--out', 'd'] : command === 'sweep' && flag === 'sbatch-args' ? ['--submit', 'slurm'] : [];
  try {
    parseArgs([command, ...positionals, `--${flag}`, ...(value === null ? [] : [value]), ...(flag === 'out' ? [] : extra)]);
    return true;
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    if (/is not a flag of|unknown flag/.test(e.message)) return false;
    throw new Error(`--${flag} of ${command}: ${e.message}`);
  }
}

describe('help texts', () => {
  it.each(COMMAND_ORDER.map((c) => [c]))('descent %s --help lists the flags its parser accepts, and only those', async (command) => {
    const help = await helpOf([command, '--help']);
    const flagsSection = help.slice(help.indexOf('Flags:'), help.indexOf('Examples:'));
    const listed = [...flagsSection.matchAll(/^ {2}--([a-z-]+)/gm)].map((m) => m[1]!).filter((f) => f !== 'help').sort();
    const accepted = Object.keys(FLAGS).filter((f) => accepts(command, f)).sort();
    expect(listed).toEqual(accepted);
    // every flag the text names anywhere (descriptions, examples) is one of the command's own
    const named = new Set([...help.matchAll(/(?<![\w-])--([a-z][a-z-]*)/g)].map((m) => m[1]!));
    // (--array, --time, --partition are sbatch's own flags: the script --emit slurm writes, --sbatch-args)
    for (const f of named) expect([...accepted, 'help', 'array', 'time', 'partition'], `${command} --help names --${f}`).toContain(f);
  });

  it.each(COMMAND_ORDER.map((c) => [c]))('descent help %s prints that command\'s help', async (command) => {
    expect(await helpOf(['help', command])).toBe(await helpOf([command, '--help']));
    expect(await helpOf(['help', command])).toMatch(new RegExp(`^Usage: descent ${command}\\b`));
  });

  it('describes --out as what each command writes: a file for plot, folders elsewhere', async () => {
    expect(await helpOf(['plot', '--help'])).toMatch(/--out FILE +the picture to write, \.svg or \.png \(default plot\.svg\)/);
    expect(await helpOf(['run', '--help'])).toMatch(/--out DIR +the run folder/);
    expect(await helpOf(['resume', '--help'])).not.toMatch(/--out/);
  });
});
